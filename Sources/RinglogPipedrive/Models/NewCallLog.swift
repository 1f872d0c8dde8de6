import Foundation

/// A call log to create with `POST /v1/callLogs`.
///
/// Times are `Date`s and the duration a `Duration`; the v1 wire formats (`YYYY-MM-DD HH:MM:SS` UTC,
/// duration as a string of seconds) are produced when encoding.
public struct NewCallLog: Equatable, Sendable, Encodable {
    /// The Pipedrive user who owns the log; Pipedrive defaults to the authorised user.
    public var userID: Int?
    /// An existing `call` activity to turn into this log (its links then win over the ids below).
    public var activityID: Int?
    /// The subject of the activity Pipedrive creates for the log.
    public var subject: String?
    /// How long the call lasted.
    public var duration: Duration?
    /// How the call ended.
    public var outcome: CallLogOutcome
    /// The calling number.
    public var fromPhoneNumber: String?
    /// The called number.
    public var toPhoneNumber: String
    /// When the call started.
    public var startTime: Date
    /// When the call ended.
    public var endTime: Date
    /// The person the call was with.
    public var personID: Int?
    /// The organisation the call was with.
    public var organizationID: Int?
    /// The deal the call belongs to (never together with a lead).
    public var dealID: Int?
    /// The lead the call belongs to (a UUID; never together with a deal).
    public var leadID: String?
    /// A note (HTML).
    public var note: String?

    /// Creates a call log; only the outcome, called number and times are required.
    public init(
        outcome: CallLogOutcome, toPhoneNumber: String, startTime: Date, endTime: Date, fromPhoneNumber: String? = nil,
        duration: Duration? = nil, subject: String? = nil, userID: Int? = nil, activityID: Int? = nil,
        personID: Int? = nil, organizationID: Int? = nil, dealID: Int? = nil, leadID: String? = nil,
        note: String? = nil
    ) {
        self.outcome = outcome
        self.toPhoneNumber = toPhoneNumber
        self.startTime = startTime
        self.endTime = endTime
        self.fromPhoneNumber = fromPhoneNumber
        self.duration = duration
        self.subject = subject
        self.userID = userID
        self.activityID = activityID
        self.personID = personID
        self.organizationID = organizationID
        self.dealID = dealID
        self.leadID = leadID
        self.note = note
    }

    private enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case activityID = "activity_id"
        case subject
        case duration
        case outcome
        case fromPhoneNumber = "from_phone_number"
        case toPhoneNumber = "to_phone_number"
        case startTime = "start_time"
        case endTime = "end_time"
        case personID = "person_id"
        case organizationID = "org_id"
        case dealID = "deal_id"
        case leadID = "lead_id"
        case note
    }

    /// Writes the v1 request body.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(userID, forKey: .userID)
        try container.encodeIfPresent(activityID, forKey: .activityID)
        try container.encodeIfPresent(subject, forKey: .subject)
        if let duration {
            // v1 wants whole seconds as a string, e.g. "125".
            try container.encode(String(max(0, duration.components.seconds)), forKey: .duration)
        }
        try container.encode(outcome, forKey: .outcome)
        try container.encodeIfPresent(fromPhoneNumber, forKey: .fromPhoneNumber)
        try container.encode(toPhoneNumber, forKey: .toPhoneNumber)
        try container.encode(PipedriveTimestamp.v1(startTime), forKey: .startTime)
        try container.encode(PipedriveTimestamp.v1(endTime), forKey: .endTime)
        try container.encodeIfPresent(personID, forKey: .personID)
        try container.encodeIfPresent(organizationID, forKey: .organizationID)
        try container.encodeIfPresent(dealID, forKey: .dealID)
        try container.encodeIfPresent(leadID, forKey: .leadID)
        try container.encodeIfPresent(note, forKey: .note)
    }
}
