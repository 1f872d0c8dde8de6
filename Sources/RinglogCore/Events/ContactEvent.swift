/// A chat or a ticket (an e-mail thread) that another system hands to ringlog, to become a done activity in
/// Pipedrive. The JSON form is documented in docs/events.md and docs/schemas/contact-event.schema.json.
public struct ContactEvent: Sendable, Equatable {
    /// What the event is.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A chat conversation (web widget, messenger, …).
        case chat
        /// A ticket: an e-mail thread, or one message of it.
        case ticket
    }

    /// Who started the conversation or wrote the message.
    public enum Direction: String, Sendable, Equatable, CaseIterable {
        /// The contact wrote to the company.
        case incoming
        /// The agent wrote to the contact.
        case outgoing
    }

    /// Chat or ticket.
    public var kind: Kind
    /// The source system's id, unique per kind: with `kind` it is the deduplication key.
    public var id: String
    /// Incoming or outgoing.
    public var direction: Direction
    /// When it happened, as written (RFC 3339).
    public var time: String
    /// When it happened, in seconds since the Unix epoch (UTC).
    public var timestamp: Int64
    /// The agent's login e-mail in Pipedrive, lower case.
    public var agentEmail: String
    /// The contact's phone number, as written.
    public var phone: String?
    /// The contact's e-mail address, lower case.
    public var email: String?
    /// The ticket's subject or the chat's topic.
    public var subject: String?
    /// The message or conversation text.
    public var content: String?
    /// The channel: `widget`, `messenger`, `e-mail`, ….
    public var source: String?
    /// The queue or team that handled it.
    public var queue: String?
    /// How long the chat lasted, in seconds (chats only).
    public var durationSeconds: Int?
    /// A link back to the conversation in the source system (http or https).
    public var link: String?

    /// Creates an event; ``ContactEventParser`` makes them from JSON and checks every field.
    public init(
        kind: Kind, id: String, direction: Direction, time: String, timestamp: Int64, agentEmail: String,
        phone: String? = nil, email: String? = nil, subject: String? = nil, content: String? = nil,
        source: String? = nil, queue: String? = nil, durationSeconds: Int? = nil, link: String? = nil
    ) {
        self.kind = kind
        self.id = id
        self.direction = direction
        self.time = time
        self.timestamp = timestamp
        self.agentEmail = agentEmail
        self.phone = phone
        self.email = email
        self.subject = subject
        self.content = content
        self.source = source
        self.queue = queue
        self.durationSeconds = durationSeconds
        self.link = link
    }

    /// The deduplication key, `chat:<id>` or `ticket:<id>`: the outbox keeps one item per key.
    public var key: String { "\(kind.rawValue):\(id)" }

    /// The text put in the activity's note so a write cut by a crash can be found again:
    /// `ringlog-event:<kind>:<id>`.
    public var marker: String { "ringlog-event:\(key)" }
}
