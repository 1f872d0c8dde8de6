import RinglogCore
import Testing

@testable import RinglogCapture

/// Replays the public captures in Tests/Fixtures/sip-captures (see SOURCES.md there).
@Suite struct CaptureFileReaderTests {
    /// A capture and the number of SIP messages in it.
    struct Expectation: CustomTestStringConvertible, Sendable {
        var file: String
        var sipMessages: Int
        var needsHEPDecoder = false
        var testDescription: String { file }
    }

    // Expected counts: `tshark -r FILE -Y sip | wc -l` (Wireshark 4.0.17, Debian 12), which counts frames
    // with at least one SIP message; tshark shows one message per frame in all of these files, and counts
    // IPv6 datagrams reassembled from fragments once. Exceptions, counted by hand from the HEP chunks:
    // tshark has no HEP dissector, so the two hep-wireshark files show 0 SIP frames there; hep.pcap holds
    // 8 HEPv3 packets of which 6 have payload type 1 (SIP), one is a log line (type 100) and one an RTCP
    // report (type 5); hep3-compressed holds 21 HEPv3 packets, all SIP in zlib-compressed chunks (0x0010).
    static let expectations: [Expectation] = [
        Expectation(file: "heplify-ipip0.pcap", sipMessages: 8),
        Expectation(file: "heplify-v1-FAX-Call-t38-CA-TDM-SIP-FB-1.pcap", sipMessages: 92),
        Expectation(file: "heplify-v1-erspan_sip_ipv4_udp.pcapng", sipMessages: 140),
        Expectation(file: "heplify-v1-rtp_rtcp_sip_ipv4_udp.pcap", sipMessages: 14),
        Expectation(file: "heplify-v1-sip_ipv4_tcp.pcap", sipMessages: 7),
        Expectation(file: "heplify-v1-sip_ipv6_udp.pcap", sipMessages: 6),
        Expectation(file: "heplify-v1-sip_sctp.pcap", sipMessages: 4),
        Expectation(file: "heplify-v1-sip_tcp_websocket.pcap", sipMessages: 39),
        Expectation(file: "hepwireshark-hep.pcap", sipMessages: 6, needsHEPDecoder: true),
        Expectation(file: "hepwireshark-hep3-compressed.pcapng", sipMessages: 21, needsHEPDecoder: true),
        Expectation(file: "sngrep-aaa.pcap", sipMessages: 81),
        Expectation(file: "sngrep-ipip.pcap", sipMessages: 4),
        Expectation(file: "sngrep-ipv6frag.pcap", sipMessages: 32),
        Expectation(file: "suricata-sip-compact-form.pcap", sipMessages: 1),
        Expectation(file: "suricata-sip-header-multi-value.pcap", sipMessages: 1),
    ]

    static func readAll(_ path: String) throws -> [CapturedPacket] {
        var reader = try CaptureFileReader(path: path)
        var packets: [CapturedPacket] = []
        while let packet = try reader.next() {
            packets.append(packet)
            if packets.count > 100_000 { break }
        }
        return packets
    }

    @Test(arguments: expectations)
    func findsEverySIPMessage(_ expectation: Expectation) throws {
        let packets = try Self.readAll(TestFixtures.capturePath(expectation.file))
        if expectation.needsHEPDecoder, !TestFixtures.hepDecoderWorks {
            // Without a working HEP decoder these files hold no plain SIP at all.
            #expect(packets.isEmpty)
            return
        }
        #expect(packets.count == expectation.sipMessages)
        for packet in packets {
            #expect(
                SIPStartLine.isSIPMessage(packet.payload[...]),
                "\(String(decoding: packet.payload.prefix(60), as: UTF8.self))")
        }
    }
}
