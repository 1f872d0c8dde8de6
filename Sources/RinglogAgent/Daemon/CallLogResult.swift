import RinglogPipedrive

/// What the outbox keeps of a written call (its `result` JSON): Pipedrive's ids and why the call was
/// logged on whom, for `ringlog trace`.
public struct CallLogResult: Sendable, Equatable, Codable {
    /// The call log's id.
    public var callLogID: String
    /// The activity behind the log.
    public var activityID: Int?
    /// The owner.
    public var userID: Int?
    /// The person.
    public var personID: Int?
    /// The organisation.
    public var organizationID: Int?
    /// The deal.
    public var dealID: Int?
    /// How the user and the contact were chosen.
    public var match: String

    /// Creates a result.
    public init(
        callLogID: String, activityID: Int?, userID: Int?, personID: Int?, organizationID: Int?, dealID: Int?,
        match: String
    ) {
        self.callLogID = callLogID
        self.activityID = activityID
        self.userID = userID
        self.personID = personID
        self.organizationID = organizationID
        self.dealID = dealID
        self.match = match
    }

    /// The result of a call log Pipedrive answered with.
    public init(_ log: CallLog, match: String) {
        self.init(
            callLogID: log.id, activityID: log.activityID, userID: log.userID, personID: log.personID,
            organizationID: log.organizationID, dealID: log.dealID, match: match)
    }

    private enum CodingKeys: String, CodingKey {
        case callLogID = "call_log_id"
        case activityID = "activity_id"
        case userID = "user_id"
        case personID = "person_id"
        case organizationID = "org_id"
        case dealID = "deal_id"
        case match
    }
}
