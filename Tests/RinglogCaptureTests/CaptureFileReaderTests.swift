import Foundation
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

    // The values below were read with tshark (frame.time_epoch, ip/ipv6 and udp fields, udp.length - 8).

    @Test func reassembledIPv6InvitesKeepTheirRecordTimeAndAddresses() throws {
        let packets = try Self.readAll(TestFixtures.capturePath("sngrep-ipv6frag.pcap"))
        let large = packets.filter { $0.payload.count > 1400 }
        #expect(large.map(\.payload.count) == [1691, 1871])
        #expect(large.map(\.timestamp.microsecondsSinceEpoch) == [1_647_926_426_047_912, 1_647_926_426_267_933])
        #expect(large.first?.source == TransportEndpoint(address: "fd17:625c:f037:2:a00:27ff:feb9:1521", port: 15060))
        #expect(
            large.first?.destination == TransportEndpoint(address: "fd17:625c:f037:2:a00:27ff:feb9:3519", port: 5062))
    }

    @Test func pcapAndPcapngRecordsGiveMicrosecondTimestamps() throws {
        let pcap = try #require(try Self.readAll(TestFixtures.capturePath("suricata-sip-compact-form.pcap")).first)
        #expect(pcap.timestamp.microsecondsSinceEpoch == 1_713_446_096_386_450)
        #expect(pcap.source == TransportEndpoint(address: "1.1.1.1", port: 5555))
        #expect(pcap.destination == TransportEndpoint(address: "2.2.2.2", port: 5060))
        #expect(pcap.payload.count == 894)
        let pcapng = try #require(
            try Self.readAll(TestFixtures.capturePath("heplify-v1-erspan_sip_ipv4_udp.pcapng")).first)
        #expect(pcapng.timestamp.microsecondsSinceEpoch == 1_526_006_114_962_510)
        #expect(pcapng.source == TransportEndpoint(address: "180.173.83.248", port: 53221))  // Inside the GRE tunnel.
        #expect(pcapng.payload.count == 675)
    }

    @Test func labelsTheTransportEachMessageUsed() throws {
        let webSocket = try Self.readAll(TestFixtures.capturePath("heplify-v1-sip_tcp_websocket.pcap"))
        #expect(webSocket.filter { $0.transport == .websocket }.count == 11)
        #expect(webSocket.filter { $0.transport == .udp }.count == 28)
        #expect(
            try Self.readAll(TestFixtures.capturePath("heplify-v1-sip_ipv4_tcp.pcap")).allSatisfy {
                $0.transport == .tcp
            })
        #expect(
            try Self.readAll(TestFixtures.capturePath("heplify-v1-sip_sctp.pcap")).allSatisfy { $0.transport == .sctp })
    }

    @Test func countsHEPPacketsEvenWithoutADecoder() throws {
        for (file, count) in [("hepwireshark-hep.pcap", 8), ("hepwireshark-hep3-compressed.pcapng", 21)] {
            var reader = try CaptureFileReader(path: TestFixtures.capturePath(file))
            var messages = 0
            while try reader.next() != nil, messages < 1000 { messages += 1 }
            #expect(reader.statistics.hepPackets == count, "\(file)")
            #expect(reader.statistics.sipMessages == messages)
        }
    }

    @Test func refusesUnsupportedLinkTypesWithAClearMessage() throws {
        // A pcap file header for link type 105 (802.11) and no records.
        let header: [UInt8] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 105, 0, 0, 0]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-80211-\(getpid()).pcap").path
        try Data(header).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try CaptureFileReader(path: path)
        } throws: { error in
            (error as? CaptureFileError)?.description.contains("not supported") == true
        }
    }
}
