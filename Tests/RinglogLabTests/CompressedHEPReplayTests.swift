import Foundation
import RinglogCapture
import RinglogCore
import Testing

/// Compressed HEP payloads (zlib) in raw HEP files and in pcaps, through the system's libz.
@Suite("Compressed HEP payloads")
struct CompressedHEPReplayTests {
    @Test("a raw HEP file of compressed payloads gives the same messages as its pcapng")
    func rawFileMatchesCapture() throws {
        let raw = try LabFixtures.hepPackets(path: LabFixtures.path("hep-raw/hep3-compressed.hep"))
        let captured = try LabFixtures.capturePackets(
            path: LabFixtures.path("sip-captures/hepwireshark-hep3-compressed.pcapng"))
        #expect(raw.count == 21)
        #expect(raw.map(\.payload) == captured.map(\.payload))
        #expect(raw.allSatisfy { String(decoding: $0.payload, as: UTF8.self).contains("REGISTER") })
    }

    @Test("without an inflater the compressed datagrams are refused, not misread")
    func withoutInflater() throws {
        let file = try [UInt8](contentsOfFile: LabFixtures.path("hep-raw/hep3-compressed.hep"))
        let datagrams = Array(HEPPacketSequence(file))
        #expect(datagrams.count == 21)
        for datagram in datagrams {
            #expect(throws: HEPDecodingError.decompressionFailed) { try HEPDecoder().decode(datagram) }
        }
    }

    @Test("a lab call with every SIP payload compressed gives the same record as the original")
    func compressedLabCall() throws {
        let configuration = try LabFixtures.configuration()
        let original = CallReplay.records(
            from: try LabFixtures.hepPackets(path: LabFixtures.path("lab/inbound_answered.hep")),
            configuration: configuration)
        let compressed = CallReplay.records(
            from: try LabFixtures.hepPackets(path: LabFixtures.path("hep-raw/inbound_answered-compressed.hep")),
            configuration: configuration)
        #expect(original.count == 1)
        #expect(compressed == original)
    }
}

extension [UInt8] {
    /// The bytes of a file.
    init(contentsOfFile path: String) throws {
        self = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
