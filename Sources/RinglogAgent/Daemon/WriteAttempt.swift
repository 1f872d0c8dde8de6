/// What the writer records in an outbox item before it sends the item to Pipedrive: for whom and when.
/// Reconciliation reads it to know where to look for a write a crash may have cut short.
struct WriteAttempt: Sendable, Equatable, Codable {
    /// The Pipedrive user the call log or activity is written for.
    var userID: Int?
    /// When the request was about to be sent, milliseconds since the Unix epoch.
    var sentAtMilliseconds: Int64

    private enum CodingKeys: String, CodingKey {
        case userID = "attempt_user_id"
        case sentAtMilliseconds = "attempt_sent_at_ms"
    }
}
