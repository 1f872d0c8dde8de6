import Foundation

/// The fields of an activity to create (`POST /api/v2/activities`) or change (`PATCH …/{id}`).
///
/// Only fields that are set are sent. The person goes out as the primary participant (v2 treats
/// `person_id` as read-only); the due time and duration are sent as `HH:MM` in UTC.
public struct ActivityFields: Equatable, Sendable, Encodable {
    /// The subject.
    public var subject: String?
    /// The activity type's `key_string`, e.g. `call`.
    public var type: String?
    /// The user the activity is assigned to.
    public var ownerID: Int?
    /// The linked person (sent as the primary participant).
    public var personID: Int?
    /// The linked organisation.
    public var organizationID: Int?
    /// The linked deal.
    public var dealID: Int?
    /// The linked lead.
    public var leadID: String?
    /// When the activity is due; sent as `due_date` and `due_time` (UTC).
    public var due: Date?
    /// How long it takes.
    public var duration: Duration?
    /// Whether it is done.
    public var done: Bool?
    /// A note (HTML).
    public var note: String?

    /// Creates a set of fields; leave out what should not be sent.
    public init(
        subject: String? = nil, type: String? = nil, ownerID: Int? = nil, personID: Int? = nil,
        organizationID: Int? = nil, dealID: Int? = nil, leadID: String? = nil, due: Date? = nil,
        duration: Duration? = nil, done: Bool? = nil, note: String? = nil
    ) {
        self.subject = subject
        self.type = type
        self.ownerID = ownerID
        self.personID = personID
        self.organizationID = organizationID
        self.dealID = dealID
        self.leadID = leadID
        self.due = due
        self.duration = duration
        self.done = done
        self.note = note
    }

    private enum CodingKeys: String, CodingKey {
        case subject
        case type
        case ownerID = "owner_id"
        case participants
        case organizationID = "org_id"
        case dealID = "deal_id"
        case leadID = "lead_id"
        case dueDate = "due_date"
        case dueTime = "due_time"
        case duration
        case done
        case note
    }

    private struct Participant: Encodable {
        var personID: Int
        var primary: Bool

        enum CodingKeys: String, CodingKey {
            case personID = "person_id"
            case primary
        }
    }

    /// Writes the v2 body.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(ownerID, forKey: .ownerID)
        if let personID {
            try container.encode([Participant(personID: personID, primary: true)], forKey: .participants)
        }
        try container.encodeIfPresent(organizationID, forKey: .organizationID)
        try container.encodeIfPresent(dealID, forKey: .dealID)
        try container.encodeIfPresent(leadID, forKey: .leadID)
        if let due {
            try container.encode(PipedriveTimestamp.day(due), forKey: .dueDate)
            try container.encode(PipedriveTimestamp.timeOfDay(due), forKey: .dueTime)
        }
        if let duration { try container.encode(PipedriveTimestamp.hoursAndMinutes(duration), forKey: .duration) }
        try container.encodeIfPresent(done, forKey: .done)
        try container.encodeIfPresent(note, forKey: .note)
    }
}
