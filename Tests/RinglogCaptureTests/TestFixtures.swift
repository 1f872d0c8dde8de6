import Foundation
import RinglogCore

/// Locates the test fixtures from this file's path (the package root is the first ancestor with a Package.swift).
enum TestFixtures {
    /// The package's root directory.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8
        where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    /// The path of a public capture in Tests/Fixtures/sip-captures.
    static func capturePath(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Fixtures/sip-captures").appendingPathComponent(name).path
    }

    /// A file in this target's private Fixtures folder.
    static func privateFixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
            .appendingPathComponent(name)
        return Array(try Data(contentsOf: url))
    }

    /// HEPv3 packets Kamailio's siptrace sent during a busy call in ringlog's SIP lab (back to back, as a
    /// TCP stream would carry them): 21 packets, 366 to 1937 bytes each.
    static func labHEPStream() throws -> [UInt8] {
        try privateFixture("busy.hep")
    }

    /// The lab stream cut into its packets by reading each HEPv3 length field.
    static func labHEPPackets() throws -> [[UInt8]] {
        let stream = try labHEPStream()
        var packets: [[UInt8]] = []
        var offset = 0
        while offset + 6 <= stream.count, packets.count < 1000 {
            let length = Int(stream[offset + 4]) << 8 | Int(stream[offset + 5])
            guard length >= 6, offset + length <= stream.count else { break }
            packets.append(Array(stream[offset..<(offset + length)]))
            offset += length
        }
        return packets
    }

    /// Whether ``HEPDecoder`` decodes real HEPv3 packets in this build (it is developed separately, so
    /// tests that need a working decoder are enabled only once it does).
    static let hepDecoderWorks: Bool = {
        guard let packet = try? labHEPPackets().first else { return false }
        return (try? HEPDecoder().decode(packet)) != nil
    }()
}
