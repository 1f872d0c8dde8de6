import Foundation

/// Reads contact events from JSON Lines, checking every field; a refused line gets a reason that names the
/// field and says what to write.
///
/// Unknown fields are refused (with a "did you mean" for typos), so a misspelt field such as `agent_mail`
/// never silently drops data. `null` counts as absent.
public enum ContactEventParser {
    /// The fields an event may have.
    public static let fields = [
        "kind", "id", "direction", "time", "agent_email", "phone", "email", "subject", "content", "source", "queue",
        "duration_seconds", "link",
    ]
    /// The longest `id`, in characters.
    public static let maximumIDLength = 200
    /// The longest `link`, in characters; links are never cut, so a longer one is refused.
    public static let maximumLinkLength = 2048
    /// The longest `phone`, in characters.
    public static let maximumPhoneLength = 64
    /// The longest chat accepted, in seconds (30 days).
    public static let maximumDurationSeconds = 2_592_000

    /// Parses one line (without its line end). Blank lines are the caller's business: they are not events.
    public static func parse(line: some Collection<UInt8>) throws(ContactEventError) -> ContactEvent {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Data(line))
        } catch {
            throw ContactEventError(
                field: nil, "not valid JSON (\(error.description)); write one JSON object per line")
        }
        return try parse(value)
    }

    /// Checks one decoded JSON value.
    public static func parse(_ value: JSONValue) throws(ContactEventError) -> ContactEvent {
        guard case .object(let members) = value else {
            throw ContactEventError(field: nil, "must be a JSON object ({ … }), not \(value.typeName)")
        }
        for name in members.keys.sorted() where !fields.contains(name) {
            let suggestion = fields.min { name.editDistance(to: $0) < name.editDistance(to: $1) }
            if let suggestion, name.editDistance(to: suggestion) <= 2 {
                throw ContactEventError(field: name, "unknown field; did you mean '\(suggestion)'?")
            }
            throw ContactEventError(
                field: name, "unknown field; the fields are: \(fields.joined(separator: ", "))")
        }
        let reader = FieldReader(members: members)

        guard let kindText = try reader.string("kind") else {
            throw ContactEventError(field: "kind", "is missing; write \"kind\": \"chat\" or \"kind\": \"ticket\"")
        }
        guard let kind = ContactEvent.Kind(rawValue: kindText) else {
            throw ContactEventError(field: "kind", "'\(kindText)' is not chat or ticket")
        }
        let id = try identifier(reader)
        guard let directionText = try reader.string("direction") else {
            throw ContactEventError(
                field: "direction", "is missing; write \"direction\": \"incoming\" or \"outgoing\"")
        }
        guard let direction = ContactEvent.Direction(rawValue: directionText) else {
            throw ContactEventError(field: "direction", "'\(directionText)' is not incoming or outgoing")
        }
        guard let time = try reader.string("time") else {
            throw ContactEventError(
                field: "time", "is missing; write an RFC 3339 time such as \"2026-11-20T14:05:09Z\"")
        }
        guard let timestamp = RFC3339Time.epochSeconds(time) else {
            throw ContactEventError(
                field: "time",
                "'\(time.prefix(40))' is not an RFC 3339 time with an offset; write e.g. \"2026-11-20T14:05:09Z\" "
                    + "or \"2026-11-20T16:05:09+02:00\"")
        }
        guard let agent = try reader.string("agent_email") else {
            throw ContactEventError(
                field: "agent_email", "is missing; write the agent's Pipedrive login, e.g. \"anna@example.com\"")
        }
        guard agent.isPlausibleEventEmail else {
            throw ContactEventError(field: "agent_email", "'\(agent.prefix(80))' is not an e-mail address")
        }
        let phone = try self.phone(reader)
        let email = try reader.string("email")
        if let email, !email.isPlausibleEventEmail {
            throw ContactEventError(field: "email", "'\(email.prefix(80))' is not an e-mail address")
        }
        guard phone != nil || email != nil else {
            throw ContactEventError(
                field: "phone", "and email are both missing; give the contact's phone or email (or both)")
        }
        let duration = try reader.wholeNumber("duration_seconds", in: 0...maximumDurationSeconds)
        if duration != nil, kind != .chat {
            throw ContactEventError(field: "duration_seconds", "applies to chats only; remove it from tickets")
        }
        return ContactEvent(
            kind: kind, id: id, direction: direction, time: time, timestamp: timestamp,
            agentEmail: agent.lowercased(), phone: phone, email: email?.lowercased(),
            subject: try reader.string("subject"), content: try reader.string("content"),
            source: try reader.string("source"), queue: try reader.string("queue"), durationSeconds: duration,
            link: try link(reader))
    }

    /// The event as one canonical JSON line (sorted keys, no line end): what the outbox stores.
    public static func encode(_ event: ContactEvent) -> [UInt8] {
        var members: [String: JSONValue] = [
            "kind": .string(event.kind.rawValue), "id": .string(event.id),
            "direction": .string(event.direction.rawValue), "time": .string(event.time),
            "agent_email": .string(event.agentEmail),
        ]
        let optional: [(String, String?)] = [
            ("phone", event.phone), ("email", event.email), ("subject", event.subject), ("content", event.content),
            ("source", event.source), ("queue", event.queue), ("link", event.link),
        ]
        for (name, text) in optional { if let text { members[name] = .string(text) } }
        if let duration = event.durationSeconds { members["duration_seconds"] = .number(Double(duration)) }
        return JSONValue.object(members).canonicalJSON
    }

    private static func identifier(_ reader: FieldReader) throws(ContactEventError) -> String {
        guard let id = try reader.string("id") else {
            throw ContactEventError(field: "id", "is missing; write the source system's id, e.g. \"id\": \"T-1042\"")
        }
        guard !id.trimmingSpaces.isEmpty else {
            throw ContactEventError(field: "id", "is empty; write the source system's id")
        }
        guard id.count <= maximumIDLength else {
            throw ContactEventError(
                field: "id", "has \(id.count) characters; at most \(maximumIDLength) are allowed")
        }
        guard !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ContactEventError(field: "id", "contains control characters (line ends, tabs); remove them")
        }
        return id
    }

    private static func phone(_ reader: FieldReader) throws(ContactEventError) -> String? {
        guard let phone = try reader.string("phone") else { return nil }
        guard phone.count <= maximumPhoneLength else {
            throw ContactEventError(
                field: "phone", "has \(phone.count) characters; a phone number has at most \(maximumPhoneLength)")
        }
        guard phone.unicodeScalars.filter({ ("0"..."9").contains($0) }).count >= 3 else {
            throw ContactEventError(
                field: "phone", "'\(phone)' is not a phone number; write it as the contact gave it, e.g. +358401234567")
        }
        return phone
    }

    private static func link(_ reader: FieldReader) throws(ContactEventError) -> String? {
        guard let link = try reader.string("link") else { return nil }
        let lowered = link.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else {
            throw ContactEventError(field: "link", "must be an http or https URL, e.g. https://desk.example.com/t/1")
        }
        guard link.count <= maximumLinkLength else {
            throw ContactEventError(
                field: "link", "has \(link.count) characters; links are never cut, so at most \(maximumLinkLength)")
        }
        guard !link.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\"" }) else {
            throw ContactEventError(field: "link", "contains spaces, quotes or control characters; percent-encode them")
        }
        return link
    }
}

/// Typed access to an event's members, each error naming the field.
private struct FieldReader {
    let members: [String: JSONValue]

    func string(_ name: String) throws(ContactEventError) -> String? {
        switch members[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw ContactEventError(field: name, "must be a string, not \(other.typeName)")
        }
    }

    func wholeNumber(_ name: String, in range: ClosedRange<Int>) throws(ContactEventError) -> Int? {
        switch members[name] {
        case nil, .null?: return nil
        case .number(let value)?:
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw ContactEventError(
                    field: name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return Int(value)
        case let other?: throw ContactEventError(field: name, "must be a number, not \(other.typeName)")
        }
    }
}

extension String {
    /// A cheap shape check: one `@`, something before it, a dot inside the domain, no spaces, at most 254.
    fileprivate var isPlausibleEventEmail: Bool {
        let parts = split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains("." as Character) && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !contains(" " as Character) && utf8.count <= 254
    }
}
