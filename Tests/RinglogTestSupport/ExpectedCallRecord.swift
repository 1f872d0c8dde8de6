import Foundation
import RinglogCore

/// One record the lab expects (docs/lab.md, "Expected records"), as `scripts/lab/drive --expect-out` and the
/// `Tests/Fixtures/lab/*.expected.json` fixtures hold them.
public struct ExpectedCallRecord: Decodable, Sendable, CustomStringConvertible {
    /// The scenario's name.
    public var scenario: String
    /// The SIP Call-ID of the call (of its first dialog).
    public var callID: String
    /// `inbound`, `outbound` or `internal`.
    public var direction: String
    /// `answered`, `missed`, `busy`, `declined`.
    public var outcome: String
    /// The extension that answered last, or the one called, or the calling one.
    public var extensionNumber: String?
    /// The caller: E.164 when it normalises, else the SIP user part.
    public var from: String?
    /// The callee: E.164 when it normalises, else the SIP user part.
    public var to: String?
    /// Ringing time as scripted.
    public var ringSeconds: Double
    /// Talk time as scripted; 0 when not answered.
    public var talkSeconds: Double
    /// Only on a transferred call: the Call-IDs of all its dialogs.
    public var callIDs: [String]?

    private enum CodingKeys: String, CodingKey {
        case scenario, direction, outcome, from, to
        case callID = "call_id"
        case extensionNumber = "extension"
        case ringSeconds = "ring_seconds"
        case talkSeconds = "talk_seconds"
        case callIDs = "call_ids"
    }

    /// The scenario and Call-ID.
    public var description: String { "\(scenario) \(callID)" }

    /// The external party's number: the caller of an inbound call, the callee of an outbound one.
    public var externalNumber: String? {
        switch direction {
        case "inbound": from
        case "outbound": to
        default: nil
        }
    }

    /// The records of a JSON array file.
    public static func load(path: String) throws -> [ExpectedCallRecord] {
        try JSONDecoder().decode([ExpectedCallRecord].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// What differs between this expectation and a record: exact fields, durations within 1 s. Empty when
    /// they agree.
    public func differences(from record: CallRecord) -> [String] {
        var differences: [String] = []
        func compare(_ name: String, _ expected: String?, _ actual: String?) {
            if expected != actual {
                differences.append("\(name): expected \(expected ?? "null"), got \(actual ?? "null")")
            }
        }
        compare("call_id", callID, record.callID)
        compare("direction", direction, record.direction.rawValue)
        compare("outcome", outcome, record.outcome.rawValue)
        compare("extension", extensionNumber, record.extensionNumber)
        compare("from", from, record.from)
        compare("to", to, record.to)
        if abs(record.ringSeconds - ringSeconds) > 1 {
            differences.append("ring_seconds: expected \(ringSeconds), got \(record.ringSeconds)")
        }
        if abs(record.talkSeconds - talkSeconds) > 1 {
            differences.append("talk_seconds: expected \(talkSeconds), got \(record.talkSeconds)")
        }
        if let callIDs, !callIDs.allSatisfy(record.callIDs.contains) {
            differences.append("call_ids: expected \(callIDs) among \(record.callIDs)")
        }
        if !record.complete { differences.append("complete: expected true") }
        return differences
    }
}
