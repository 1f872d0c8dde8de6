/// A done activity ready for `POST /api/v2/activities`: what one contact event becomes.
public struct ActivityDraft: Sendable, Equatable, Codable {
    /// The subject, at most 256 characters.
    public var subject: String
    /// The activity type's `key_string`.
    public var type: String
    /// The Pipedrive user the activity belongs to (the agent).
    public var ownerID: Int?
    /// The person, sent as the primary participant.
    public var personID: Int?
    /// The organisation.
    public var organizationID: Int?
    /// `due_date`, `YYYY-MM-DD` in UTC: the event's date.
    public var dueDate: String
    /// `due_time`, `HH:MM` in UTC: the event's time.
    public var dueTime: String
    /// `duration`, `HH:MM`, for chats.
    public var duration: String?
    /// Always true: events are history, not plans.
    public var done: Bool
    /// The note (HTML), ending with the marker.
    public var note: String
    /// `ringlog-event:<kind>:<id>`: the note contains it, so the activity can be found after a crash.
    public var marker: String

    /// Creates a draft.
    public init(
        subject: String, type: String, ownerID: Int?, personID: Int?, organizationID: Int?, dueDate: String,
        dueTime: String, duration: String?, done: Bool = true, note: String, marker: String
    ) {
        self.subject = subject
        self.type = type
        self.ownerID = ownerID
        self.personID = personID
        self.organizationID = organizationID
        self.dueDate = dueDate
        self.dueTime = dueTime
        self.duration = duration
        self.done = done
        self.note = note
        self.marker = marker
    }

    private enum CodingKeys: String, CodingKey {
        case subject, type, done, note, marker, duration
        case ownerID = "owner_id"
        case personID = "person_id"
        case organizationID = "org_id"
        case dueDate = "due_date"
        case dueTime = "due_time"
    }
}

/// Where an event is logged: the agent's user and the matched contact.
public struct EventTarget: Sendable, Equatable {
    /// The agent's Pipedrive user id.
    public var ownerID: Int?
    /// The matched person.
    public var personID: Int?
    /// The person's organisation, or the organisation matched alone.
    public var organizationID: Int?

    /// Creates a target.
    public init(ownerID: Int?, personID: Int?, organizationID: Int?) {
        self.ownerID = ownerID
        self.personID = personID
        self.organizationID = organizationID
    }
}
