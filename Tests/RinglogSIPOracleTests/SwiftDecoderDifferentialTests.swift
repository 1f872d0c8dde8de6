import RinglogCore
import RinglogSIPOracle
import Testing

/// A plain INVITE every working decoder reads; the differential tests run once ringlog's decoder does.
private let knownGoodInvite = Array(
    ("INVITE sip:1002@127.0.0.1 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:15110;branch=z9hG4bKknown\r\n"
        + "From: \"Anna\" <sip:1001@127.0.0.1>;tag=k1\r\n"
        + "To: <sip:1002@127.0.0.1>\r\n"
        + "Call-ID: known-good@127.0.0.1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Content-Length: 0\r\n\r\n").utf8)

/// Whether ``SIPMessage/init(decoding:)`` is implemented yet (it decodes the known-good INVITE).
let swiftDecoderAvailable = (try? SIPMessage(decoding: knownGoodInvite))?.callID == "known-good@127.0.0.1"

@Suite("ringlog's SIP decoder agrees with libre")
struct SwiftDecoderDifferentialTests {
    @Test("libre reads the known-good INVITE the gate uses")
    func libreReadsKnownGoodInvite() throws {
        let message = try LibreSIPDecoder.decode(knownGoodInvite)
        #expect(message.callID == "known-good@127.0.0.1")
        #expect(message.from?.tag == "k1")
    }

    @Test(
        "same start line, Call-ID, CSeq, tags and URIs as libre", .enabled(if: swiftDecoderAvailable),
        arguments: SIPFixtures.names)
    func agreesWithLibre(name: String) throws {
        let bytes = try SIPFixtures.bytes(name)
        let libre = try LibreSIPDecoder.decode(bytes)
        try #require(libre.hasDialogHeaders, "libre found no Call-ID/CSeq/From/To in \(name)")
        let ringlog = try SIPMessage(decoding: bytes)
        let differences = OracleComparison.differences(ringlog: ringlog, libre: libre)
        #expect(differences.isEmpty, "\(name):\n\(differences.joined(separator: "\n"))")
    }
}
