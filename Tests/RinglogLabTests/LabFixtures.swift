import Foundation
import RinglogCapture
import RinglogCore
import Testing

/// The lab's recordings and their expected records, found from this file's path.
enum LabFixtures {
    /// Every scenario the lab records (docs/lab.md).
    static let scenarios = [
        "inbound_answered", "missed", "busy", "outbound", "outbound_busy", "outbound_declined", "ring_group",
        "blind_transfer", "inbound_transfer", "click_to_call", "agent_click_to_call",
    ]

    /// The package's root directory: the first ancestor of this file with a Package.swift.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8
        where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    /// A file under Tests/Fixtures.
    static func path(_ relative: String) -> String {
        packageRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative).path
    }

    /// The lab's site as docs/lab.md describes it: Kamailio on 25060; the carrier (25090 receives, 25091
    /// calls in) and the PSTN phone (25095) are trunk peers; extensions 1000-1999; ring group 2000; region FI.
    static func configuration() throws -> CallTrackerConfiguration {
        try ReplaySettings(
            site: ReplaySettings.Site(
                pbxAddresses: ["127.0.0.1:25060"],
                trunkAddresses: ["127.0.0.1:25090", "127.0.0.1:25091", "127.0.0.1:25095"],
                extensionPattern: #"1\d{3}"#),
            region: "FI"
        ).trackerConfiguration()
    }

    /// The packets of a raw HEP file (datagrams back to back); compressed payloads are inflated.
    static func hepPackets(path: String) throws -> [CapturedPacket] {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let decoder = HEPDecoder(inflate: ZlibInflater().closure)
        return HEPPacketSequence(bytes).compactMap { try? decoder.decode($0) }
    }

    /// The packets of a pcap or pcapng file, read by the capture module.
    static func capturePackets(path: String) throws -> [CapturedPacket] {
        var reader = try CaptureFileReader(path: path)
        var packets: [CapturedPacket] = []
        while let packet = try reader.next() { packets.append(packet) }
        return packets
    }

    /// The records the lab expects, from a JSON array as `scripts/lab/drive --expect-out` writes it.
    static func expectedRecords(path: String) throws -> [ExpectedCallRecord] {
        try JSONDecoder().decode([ExpectedCallRecord].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// One record the lab expects (docs/lab.md, "Expected records").
struct ExpectedCallRecord: Decodable, Sendable, CustomTestStringConvertible {
    var scenario: String
    var callID: String
    var direction: String
    var outcome: String
    var extensionNumber: String?
    var from: String?
    var to: String?
    var ringSeconds: Double
    var talkSeconds: Double
    /// Only on a transferred call: the Call-IDs of all its dialogs.
    var callIDs: [String]?

    private enum CodingKeys: String, CodingKey {
        case scenario, direction, outcome, from, to
        case callID = "call_id"
        case extensionNumber = "extension"
        case ringSeconds = "ring_seconds"
        case talkSeconds = "talk_seconds"
        case callIDs = "call_ids"
    }

    var testDescription: String { "\(scenario) \(callID)" }

    /// What differs between this expectation and a record: exact fields, durations within 1 s. Empty when
    /// they agree.
    func differences(from record: CallRecord) -> [String] {
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
