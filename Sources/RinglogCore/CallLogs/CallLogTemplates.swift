import Foundation

/// The subject templates of call logs. Placeholders: `{direction}` (Inbound, Outbound, Internal),
/// `{result}` (answered, missed, busy, declined, failed, answered elsewhere), `{number}` (the external
/// party's number) and `{extension}`.
public struct CallLogTemplates: Sendable, Equatable {
    /// The subject of an answered or otherwise ended call.
    public var subject: String
    /// The subject of a missed inbound call.
    public var missedSubject: String

    /// Creates templates; the defaults give "Inbound call — answered" and "Missed call from +358…".
    public init(subject: String = "{direction} call — {result}", missedSubject: String = "Missed call from {number}") {
        self.subject = subject
        self.missedSubject = missedSubject
    }

    /// `template` with every placeholder replaced.
    public static func fill(_ template: String, values: [String: String]) -> String {
        var text = template
        for (name, value) in values { text = text.replacing("{\(name)}", with: value) }
        return text
    }
}
