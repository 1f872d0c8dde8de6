/// Turns a finished call, its user and the contact the directory chose into a ``CallLogDraft``. Pure.
///
/// - Outcome: answered → `connected`, busy → `busy`, every other outcome → `no_answer`.
/// - Subject: ``CallLogTemplates``; a missed inbound call uses the missed-call template.
/// - Note: HTML with direction, result, numbers, extension, ring and talk time, the SIP Call-ID, the other
///   persons who share the number, and the marker line `ringlog-call-id: KEY` that finds the log again
///   after a crash. Everything that came over SIP is HTML-escaped.
public struct CallLogComposer: Sendable {
    /// The marker line's prefix in the note.
    public static let markerPrefix = "ringlog-call-id: "

    /// The marker line's prefix in the note of a call-back activity.
    public static let callBackMarkerPrefix = "ringlog-callback: "

    /// The subject templates.
    public var templates: CallLogTemplates
    /// Whether the note carries the call's details; without, it holds only the marker line.
    public var includesNote: Bool

    /// Creates a composer.
    public init(templates: CallLogTemplates = CallLogTemplates(), includesNote: Bool = true) {
        self.templates = templates
        self.includesNote = includesNote
    }

    /// The number of the party outside the site: the caller of an inbound call, the callee of an outbound
    /// one, none for an internal call (the policy decides what an internal call is logged on).
    public static func externalNumber(of record: CallRecord) -> String? {
        switch record.direction {
        case .inbound, .unknown: record.from
        case .outbound: record.to
        case .internal: nil
        }
    }

    /// Pipedrive's outcome for a call outcome.
    public static func pipedriveOutcome(_ outcome: CallOutcome) -> String {
        switch outcome {
        case .answered: "connected"
        case .busy: "busy"
        case .missed, .declined, .failed, .answeredElsewhere: "no_answer"
        }
    }

    /// The marker that identifies the call in a note (HTML-escaped, as it appears in the note).
    public static func marker(forKey key: String) -> String { markerPrefix + HTMLText.escape(key) }

    /// Whether the call is a missed inbound call (it gets the missed-call subject and a call-back activity).
    public static func isMissedInbound(_ record: CallRecord) -> Bool {
        record.direction == .inbound && record.outcome == .missed
    }

    /// Composes the call log of `record`.
    /// - Parameters:
    ///   - userID: the Pipedrive user who owns the log.
    ///   - choice: the contact the shared-number policy chose, or `nil` to log without one.
    public func draft(for record: CallRecord, userID: Int?, choice: SharedNumberPolicy.Choice?) -> CallLogDraft {
        let start = record.startedAt.microsecondsSinceEpoch / 1000
        let end =
            record.endedAt.map { $0.microsecondsSinceEpoch / 1000 }
            ?? start + Int64((record.ringSeconds + record.talkSeconds) * 1000)
        let values = placeholderValues(record)
        let template = Self.isMissedInbound(record) ? templates.missedSubject : templates.subject
        return CallLogDraft(
            userID: userID, personID: choice?.personID, organizationID: choice?.organizationID,
            dealID: choice?.dealID, outcome: Self.pipedriveOutcome(record.outcome), fromPhoneNumber: record.from,
            toPhoneNumber: record.to ?? record.extensionNumber ?? "unknown", startMilliseconds: start,
            endMilliseconds: max(start, end), durationSeconds: max(0, Int(record.talkSeconds.rounded())),
            subject: CallLogTemplates.fill(template, values: values), note: note(record, choice: choice, values: values)
        )
    }

    /// The subject of the call-back activity of a missed inbound call, from `template` (placeholders as in
    /// ``CallLogTemplates``).
    public func callBackSubject(for record: CallRecord, template: String = "Call back {number}") -> String {
        CallLogTemplates.fill(template, values: placeholderValues(record))
    }

    /// The marker of the call-back activity of the call with outbox key `key` (HTML-escaped).
    public static func callBackMarker(forKey key: String) -> String { callBackMarkerPrefix + HTMLText.escape(key) }

    /// The note of the call-back activity of a missed inbound call: who called when, and the marker line
    /// that finds the activity again after a crash.
    public func callBackNote(for record: CallRecord) -> String {
        var lines = [
            "<b>Missed call from:</b> \(HTMLText.escape(Self.externalNumber(of: record) ?? "unknown number"))",
            "<b>At:</b> \(ISO8601Timestamp.string(from: record.startedAt))",
        ]
        if let extensionNumber = record.extensionNumber {
            lines.append("<b>Extension:</b> \(HTMLText.escape(extensionNumber))")
        }
        lines.append(Self.callBackMarker(forKey: CallLogKey.key(for: record)))
        return "<p>" + lines.joined(separator: "<br>\n") + "</p>"
    }

    private func placeholderValues(_ record: CallRecord) -> [String: String] {
        [
            "direction": Self.directionText(record.direction),
            "result": Self.resultText(record.outcome),
            "number": Self.externalNumber(of: record) ?? record.from ?? "unknown number",
            "extension": record.extensionNumber ?? "",
        ]
    }

    private func note(_ record: CallRecord, choice: SharedNumberPolicy.Choice?, values: [String: String]) -> String {
        guard includesNote else { return "<p>" + Self.marker(forKey: CallLogKey.key(for: record)) + "</p>" }
        var lines: [String] = [
            "<b>Direction:</b> \(HTMLText.escape(values["direction"] ?? ""))",
            "<b>Result:</b> \(HTMLText.escape(values["result"] ?? ""))",
            "<b>From:</b> \(HTMLText.escape(record.from ?? "unknown"))",
            "<b>To:</b> \(HTMLText.escape(record.to ?? "unknown"))",
        ]
        if let extensionNumber = record.extensionNumber {
            lines.append("<b>Extension:</b> \(HTMLText.escape(extensionNumber))")
        }
        lines.append("<b>Ring time:</b> \(JSONText.oneDecimal(record.ringSeconds)) s")
        lines.append("<b>Talk time:</b> \(JSONText.oneDecimal(record.talkSeconds)) s")
        lines.append("<b>SIP Call-ID:</b> \(HTMLText.escape(record.callID))")
        if let choice, !choice.otherCandidates.isEmpty {
            let others = choice.otherCandidates.map { "#\($0)" }.joined(separator: ", ")
            lines.append("<b>Also has this number:</b> \(others) (chosen: \(HTMLText.escape(choice.rule.rawValue)))")
        }
        lines.append(Self.marker(forKey: CallLogKey.key(for: record)))
        return "<p>" + lines.joined(separator: "<br>\n") + "</p>"
    }

    static func directionText(_ direction: CallDirection) -> String {
        switch direction {
        case .inbound: "Inbound"
        case .outbound: "Outbound"
        case .internal: "Internal"
        case .unknown: "Unknown"
        }
    }

    static func resultText(_ outcome: CallOutcome) -> String {
        switch outcome {
        case .answered: "answered"
        case .missed: "missed"
        case .busy: "busy"
        case .declined: "declined"
        case .failed: "failed"
        case .answeredElsewhere: "answered elsewhere"
        }
    }
}
