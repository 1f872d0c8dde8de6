import Foundation
import RinglogCapture
import RinglogCore
import RinglogTestSupport
import Testing

/// The lab's recordings and their expected records, found from this file's path.
enum LabFixtures {
    /// Every scenario the lab records (docs/lab.md).
    static let scenarios = SIPLabScripts.scenarios

    /// A file under Tests/Fixtures.
    static func path(_ relative: String) -> String {
        PackageRoot.path("Tests/Fixtures/" + relative)
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
        try ExpectedCallRecord.load(path: path)
    }
}
