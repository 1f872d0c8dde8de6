import RinglogCore
import Testing

@testable import RinglogCapture

/// The common-frame path (``PacketDissector/commonDatagram(in:linkType:)`` then
/// ``PacketDissector/sipMessage(in:of:at:)``) must give exactly what ``PacketDissector/dissect(frame:at:)``
/// gives, for every frame it accepts, and leave the others alone.
@Suite struct CommonDatagramTests {
    static let time = CaptureTime(seconds: 1_700_000_000, microseconds: 250)
    static let sip = Array("SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody".utf8)

    /// Runs `frames` through both paths, each with its own dissector, and compares messages and statistics;
    /// returns how many frames the common path took.
    @discardableResult
    static func compareBothPaths(_ frames: [[UInt8]], linkType: LinkType) -> Int {
        var general = PacketDissector(linkType: linkType, hepDecoder: HEPDecoder(), limits: CaptureLimits())
        var common = general
        var taken = 0
        for frame in frames {
            let expected = general.dissect(frame: frame[...], at: time)
            let found = frame.withUnsafeBytes { bytes -> [CapturedPacket] in
                guard let datagram = PacketDissector.commonDatagram(in: bytes, linkType: linkType) else {
                    return common.dissect(frame: frame[...], at: time)
                }
                taken += 1
                return common.sipMessage(in: datagram, of: bytes, at: time).map { [$0] } ?? []
            }
            #expect(found == expected, "\(linkType) \(frame)")
            #expect(common.statistics == general.statistics, "\(linkType) \(frame)")
        }
        return taken
    }

    /// Every frame with one byte of its first `headerBytes` set to each of a few telling values, and every
    /// frame cut short at each length.
    static func variants(of frame: [UInt8], headerBytes: Int) -> [[UInt8]] {
        var frames = [frame]
        for offset in 0..<min(headerBytes, frame.count) {
            for value: UInt8 in [0x00, 0x01, 0x02, 0x06, 0x08, 0x11, 0x20, 0x3f, 0x45, 0x46, 0x60, 0x81, 0xff] {
                var changed = frame
                changed[offset] = value
                frames.append(changed)
            }
        }
        for length in 0..<frame.count { frames.append(Array(frame[..<length])) }
        return frames
    }

    static func udp(_ payload: [UInt8], sourcePort: Int = 5060, destinationPort: Int = 5060) -> [UInt8] {
        PacketBuilder.ipv4UDP(payload, sourcePort: sourcePort, destinationPort: destinationPort)
    }

    @Test func ethernetFramesGiveTheSameOutcomeOnBothPaths() {
        let frames = [
            PacketBuilder.ethernet(Self.udp(Self.sip)),
            PacketBuilder.ethernet(Self.udp(PacketBuilder.sipRequest(callID: "a"))),
            PacketBuilder.ethernet(Self.udp(Self.sip), vlanTags: [(0x8100, 7)]),
            PacketBuilder.ethernet(Self.udp(Self.sip), vlanTags: [(0x88a8, 7), (0x8100, 8)]),
            PacketBuilder.ethernet(Self.udp([0x80, 0, 0, 1] + [UInt8](repeating: 0xd5, count: 40))),
            PacketBuilder.ethernet(Self.udp(Array("HEP3\u{0}\u{6}".utf8))),
            PacketBuilder.ethernet(Self.udp(Self.sip, destinationPort: 4789)),
            PacketBuilder.ethernet(
                PacketBuilder.ipv4(
                    PacketBuilder.udp(Self.sip, sourcePort: 1, destinationPort: 2),
                    protocolNumber: 17, fragmentOffset: 0, moreFragments: true)),
            PacketBuilder.ethernet(PacketBuilder.ipv4(PacketBuilder.tcp(Self.sip, sequence: 1), protocolNumber: 6)),
            PacketBuilder.ethernet(
                PacketBuilder.ipv6(
                    PacketBuilder.udp(Self.sip, sourcePort: 1, destinationPort: 2),
                    nextHeader: 17), etherType: 0x86dd),
        ]
        var all: [[UInt8]] = []
        for frame in frames { all += Self.variants(of: frame, headerBytes: 14 + 8 + 20 + 8 + 12) }
        #expect(Self.compareBothPaths(all, linkType: .ethernet) > 100)
    }

    @Test func otherLinkTypesGiveTheSameOutcomeOnBothPaths() {
        let packet = Self.udp(Self.sip)
        let cases: [(LinkType, [UInt8])] = [
            (.rawIP, packet), (.ipv4, packet), (.ipv6, packet),
            (.null, [2, 0, 0, 0] + packet), (.loop, [0, 0, 0, 2] + packet), (.rawIP, [0, 0, 0, 2] + packet),
            (.linuxCooked, [0, 0, 0, 1, 0, 6] + [UInt8](repeating: 1, count: 8) + [0x08, 0x00] + packet),
            (.linuxCookedV2, [0x08, 0x00, 0, 0] + [UInt8](repeating: 1, count: 16) + packet),
        ]
        for (linkType, frame) in cases {
            Self.compareBothPaths(Self.variants(of: frame, headerBytes: 20 + 20 + 8 + 12), linkType: linkType)
        }
    }

    @Test func randomMutationsGiveTheSameOutcomeOnBothPaths() {
        var random = SplitMix64(seed: 2026)
        let seeds = [
            PacketBuilder.ethernet(Self.udp(PacketBuilder.sipRequest(callID: "r"))),
            PacketBuilder.ethernet(Self.udp(Self.sip), vlanTags: [(0x8100, 7)]),
        ]
        var frames: [[UInt8]] = []
        for index in 0..<4000 {
            var frame = seeds[index % seeds.count]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let offset = Int(random.next() % UInt64(min(frame.count, 90)))
                frame[offset] = UInt8(truncatingIfNeeded: random.next())
            }
            frames.append(frame)
        }
        Self.compareBothPaths(frames, linkType: .ethernet)
    }

    @Test func aCommonSIPDatagramIsCopiedOutWhole() throws {
        let sip = PacketBuilder.sipRequest(callID: "whole")
        let frame = PacketBuilder.ethernet(Self.udp(sip, sourcePort: 5062, destinationPort: 5060))
        var dissector = PacketDissector(linkType: .ethernet, hepDecoder: HEPDecoder(), limits: CaptureLimits())
        let found = frame.withUnsafeBytes { bytes -> CapturedPacket? in
            guard let datagram = PacketDissector.commonDatagram(in: bytes, linkType: .ethernet) else { return nil }
            return dissector.sipMessage(in: datagram, of: bytes, at: Self.time)
        }
        let packet = try #require(found)
        #expect(packet.payload == sip)
        #expect(packet.source == TransportEndpoint(address: "10.0.0.1", port: 5062))
        #expect(packet.destination == TransportEndpoint(address: "10.0.0.2", port: 5060))
        #expect(packet.transport == .udp)
        #expect(dissector.statistics.frames == 1)
        #expect(dissector.statistics.sipMessages == 1)
    }
}
