/// Turns a contact event into a done activity: subject, type, date and time in UTC, duration for chats and
/// an HTML note with the event's fields, every free text cut to 256 characters and escaped.
public struct EventActivityMapper: Sendable, Equatable {
    /// The activity type `key_string` per kind.
    public var activityTypes: [ContactEvent.Kind: String]
    /// The longest free text, in characters.
    public var characterLimit: Int

    /// Creates a mapper.
    public init(activityTypes: [ContactEvent.Kind: String], characterLimit: Int = EventText.characterLimit) {
        self.activityTypes = activityTypes
        self.characterLimit = characterLimit
    }

    /// The activity for `event` on `target`.
    public func draft(for event: ContactEvent, target: EventTarget) -> ActivityDraft {
        ActivityDraft(
            subject: EventText.truncate(Self.singleLine(subject(of: event)), limit: characterLimit),
            type: activityTypes[event.kind] ?? Self.defaultType(event.kind), ownerID: target.ownerID,
            personID: target.personID, organizationID: target.organizationID,
            dueDate: RFC3339Time.utcDate(event.timestamp), dueTime: RFC3339Time.utcTime(event.timestamp),
            duration: event.kind == .chat ? event.durationSeconds.map(Self.activityDuration) : nil,
            note: note(for: event), marker: event.marker)
    }

    /// The type used when the configuration names none: `email` for tickets, `task` for chats (both exist in a
    /// new Pipedrive company).
    public static func defaultType(_ kind: ContactEvent.Kind) -> String {
        kind == .ticket ? "email" : "task"
    }

    /// `HH:MM` for Pipedrive's `duration`: whole minutes rounded up (a 20-second chat is 00:01), at most 23:59
    /// (the note keeps the exact length).
    public static func activityDuration(_ seconds: Int) -> String {
        let minutes = Swift.min((Swift.max(0, seconds) + 59) / 60, 23 * 60 + 59)
        return "\(twoDigits(minutes / 60)):\(twoDigits(minutes % 60))"
    }

    /// A length for people: `45 s`, `12 min 5 s`, `1 h 02 min`.
    public static func readableDuration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \(twoDigits(seconds % 3600 / 60)) min"
    }

    private func subject(of event: ContactEvent) -> String {
        if let subject = event.subject, !subject.trimmingSpaces.isEmpty { return subject }
        let contact = event.email ?? event.phone ?? ""
        switch (event.kind, event.direction) {
        case (.ticket, .incoming): return "E-mail from \(contact)"
        case (.ticket, .outgoing): return "E-mail to \(contact)"
        case (.chat, _): return event.source.map { "Chat (\($0))" } ?? "Chat"
        }
    }

    private func note(for event: ContactEvent) -> String {
        var rows: [(String, String)] = []
        let date = "\(RFC3339Time.utcDate(event.timestamp)) \(RFC3339Time.utcTime(event.timestamp)) UTC"
        let contact = [event.email, event.phone].compactMap { $0 }.joined(separator: ", ")
        let heading: String
        switch event.kind {
        case .ticket:
            heading = event.direction == .incoming ? "Incoming e-mail" : "Outgoing e-mail"
            rows.append(("Date", date))
            rows.append(("Agent", event.agentEmail))
            rows.append(("From", event.direction == .incoming ? contact : event.agentEmail))
            if event.direction == .outgoing { rows.append(("To", contact)) }
            if let subject = event.subject { rows.append(("Subject", subject)) }
            if let source = event.source { rows.append(("Source", source)) }
            if let queue = event.queue { rows.append(("Queue", queue)) }
        case .chat:
            heading = event.direction == .incoming ? "Chat (incoming)" : "Chat (outgoing)"
            if let subject = event.subject { rows.append(("Subject", subject)) }
            rows.append(("Date", date))
            if let source = event.source { rows.append(("Source", source)) }
            if let duration = event.durationSeconds { rows.append(("Duration", Self.readableDuration(duration))) }
            rows.append(("Agent", event.agentEmail))
            if let queue = event.queue { rows.append(("Queue", queue)) }
            rows.append(("Contact", contact))
        }
        var html = "<p><b>\(heading)</b></p><p>"
        html += rows.map { "\($0.0): \(EventText.noteHTML($0.1, limit: characterLimit))" }.joined(separator: "<br>")
        html += "</p>"
        if let content = event.content, !content.trimmingSpaces.isEmpty {
            html += "<p>\(EventText.noteHTML(content, limit: characterLimit))</p>"
        }
        if let link = event.link {
            html += "<p><a href=\"\(EventText.escapeHTML(link))\">\(EventText.escapeHTML(link))</a></p>"
        }
        html += "<p>\(EventText.escapeHTML(event.marker))</p>"
        return html
    }

    /// `text` with every line end and tab as one space: a subject is one line.
    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
