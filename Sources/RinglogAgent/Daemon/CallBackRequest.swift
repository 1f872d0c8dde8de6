/// The call-back activity of a missed inbound call, as queued in the outbox (kind `callback`) when the call
/// log is written: everything `POST /api/v2/activities` needs, fixed at that moment.
struct CallBackRequest: Sendable, Equatable, Codable {
    /// The outbox key of the missed call.
    var callKey: String
    /// The user who should call back (the activity's owner).
    var userID: Int
    /// The person, as on the call log.
    var personID: Int?
    /// The organisation, as on the call log.
    var organizationID: Int?
    /// The deal, as on the call log.
    var dealID: Int?
    /// The subject.
    var subject: String
    /// The activity type's `key_string`.
    var type: String
    /// When it is due, seconds since the Unix epoch.
    var dueAt: Int64
    /// The note, ending with the call-back marker line.
    var note: String

    private enum CodingKeys: String, CodingKey {
        case callKey = "call_key"
        case userID = "user_id"
        case personID = "person_id"
        case organizationID = "org_id"
        case dealID = "deal_id"
        case subject, type
        case dueAt = "due_at"
        case note
    }
}
