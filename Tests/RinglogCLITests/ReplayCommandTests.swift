import Foundation
import RinglogTestSupport
import Testing

/// `ringlog replay` run as a user would, on raw HEP files.
@Suite("ringlog replay")
struct ReplayCommandTests {
    @Test("compressed HEP payloads in a raw HEP file are inflated: the same record as the uncompressed file")
    func compressedRawHEP() throws {
        let fixtures = PackageRoot.url.appendingPathComponent("Tests/Fixtures")
        let configuration = FileManager.default.temporaryDirectory
            .appendingPathComponent("ringlog-replay-\(UUID().uuidString).json")
        try Data(
            #"{"site": {"pbx_addresses": ["127.0.0.1:25060"], "trunk_addresses": ["127.0.0.1:25091"], "extension_pattern": "1\\d{3}"}}"#
                .utf8
        ).write(to: configuration)
        defer { try? FileManager.default.removeItem(at: configuration) }

        let plain = try RinglogBinary.run([
            "replay", "--config", configuration.path, fixtures.appendingPathComponent("lab/inbound_answered.hep").path,
        ])
        let compressed = try RinglogBinary.run([
            "replay", "--config", configuration.path,
            fixtures.appendingPathComponent("hep-raw/inbound_answered-compressed.hep").path,
        ])
        #expect(plain.status == 0)
        #expect(compressed.status == 0, "\(compressed.error)")
        #expect(compressed.error.isEmpty)
        #expect(plain.output.split(separator: "\n").count == 1)
        #expect(compressed.output == plain.output)
        #expect(compressed.output.contains(#""outcome":"answered""#))
    }
}
