/// A call log ready to send, in neutral form: what the writer turns into `POST /v1/callLogs`.
///
/// Times are milliseconds since the Unix epoch (UTC); the duration is whole seconds.
public struct CallLogDraft: Sendable, Equatable, Codable {
    /// The Pipedrive user who owns the log.
    public var userID: Int?
    /// The person the call was with.
    public var personID: Int?
    /// The organisation the call was with.
    public var organizationID: Int?
    /// The open deal the policy picked.
    public var dealID: Int?
    /// Pipedrive's outcome: `connected`, `busy` or `no_answer`.
    public var outcome: String
    /// The calling number.
    public var fromPhoneNumber: String?
    /// The called number (Pipedrive requires one).
    public var toPhoneNumber: String
    /// The start, in milliseconds since the epoch.
    public var startMilliseconds: Int64
    /// The end, in milliseconds since the epoch.
    public var endMilliseconds: Int64
    /// The talk time in whole seconds.
    public var durationSeconds: Int
    /// The subject.
    public var subject: String
    /// The HTML note, with the ``CallLogComposer/markerPrefix`` line.
    public var note: String

    /// Creates a draft.
    public init(
        userID: Int?, personID: Int?, organizationID: Int?, dealID: Int?, outcome: String, fromPhoneNumber: String?,
        toPhoneNumber: String, startMilliseconds: Int64, endMilliseconds: Int64, durationSeconds: Int,
        subject: String, note: String
    ) {
        self.userID = userID
        self.personID = personID
        self.organizationID = organizationID
        self.dealID = dealID
        self.outcome = outcome
        self.fromPhoneNumber = fromPhoneNumber
        self.toPhoneNumber = toPhoneNumber
        self.startMilliseconds = startMilliseconds
        self.endMilliseconds = endMilliseconds
        self.durationSeconds = durationSeconds
        self.subject = subject
        self.note = note
    }

    private enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case personID = "person_id"
        case organizationID = "org_id"
        case dealID = "deal_id"
        case outcome
        case fromPhoneNumber = "from_phone_number"
        case toPhoneNumber = "to_phone_number"
        case startMilliseconds = "start_ms"
        case endMilliseconds = "end_ms"
        case durationSeconds = "duration"
        case subject, note
    }
}
