import Foundation
import RinglogCore

/// The lab's recorded HEP files under `Tests/Fixtures/sip-lab`, found from this file's path.
enum HEPFixtures {
    static let scenarios = [
        "inbound_answered", "missed", "busy", "outbound", "ring_group", "transfer", "click_to_call",
    ]

    static var directory: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("Fixtures/sip-lab")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Tests/Fixtures/sip-lab")
    }

    static func bytes(_ scenario: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent("\(scenario).hep")))
    }

    /// Every datagram of one scenario file.
    static func datagrams(_ scenario: String) throws -> [[UInt8]] {
        HEPPacketSequence(try bytes(scenario)).map { Array($0) }
    }

    /// Every decoded packet of one scenario file.
    static func packets(_ scenario: String) throws -> [CapturedPacket] {
        let decoder = HEPDecoder()
        return try datagrams(scenario).map { try decoder.decode($0) }
    }
}
