import Foundation
import RinglogCapture
import RinglogCore
import Testing

/// Every public capture in Tests/Fixtures/sip-captures replays without error through the replay path
/// (CaptureFileReader + CallReplay), giving a known number of call records.
@Suite("Replay of the public captures")
struct PublicCaptureReplayTests {
    /// Records per capture without a site description (every dialog its own record). Computed once with
    /// `ringlog replay Tests/Fixtures/sip-captures/FILE | wc -l` and checked by hand against the captures'
    /// INVITE dialogs; hepwireshark-hep3-compressed.pcapng holds only REGISTER traffic.
    static let recordCounts: [String: Int] = [
        "heplify-ipip0.pcap": 1,
        "heplify-v1-FAX-Call-t38-CA-TDM-SIP-FB-1.pcap": 2,
        "heplify-v1-erspan_sip_ipv4_udp.pcapng": 3,
        "heplify-v1-rtp_rtcp_sip_ipv4_udp.pcap": 2,
        "heplify-v1-sip_ipv4_tcp.pcap": 1,
        "heplify-v1-sip_ipv6_udp.pcap": 1,
        "heplify-v1-sip_sctp.pcap": 1,
        "heplify-v1-sip_tcp_websocket.pcap": 2,
        "hepwireshark-hep.pcap": 1,
        "hepwireshark-hep3-compressed.pcapng": 0,
        "sngrep-aaa.pcap": 4,
        "sngrep-ipip.pcap": 1,
        "sngrep-ipv6frag.pcap": 1,
        "suricata-sip-compact-form.pcap": 1,
        "suricata-sip-header-multi-value.pcap": 1,
    ]

    @Test("every capture replays without error into its known number of records", arguments: recordCounts.keys.sorted())
    func replay(file: String) throws {
        let packets = try LabFixtures.capturePackets(path: LabFixtures.path("sip-captures/\(file)"))
        let records = CallReplay.records(from: packets)
        #expect(records.count == Self.recordCounts[file])
    }

    @Test("the list covers every capture in the folder")
    func everyCaptureIsCounted() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: LabFixtures.path("sip-captures"))
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
        #expect(Set(files) == Set(Self.recordCounts.keys))
    }
}
