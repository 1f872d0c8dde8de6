import RinglogCore
import Testing

@testable import RinglogCapture

@Suite struct PacketDissectorTests {
    static let time = CaptureTime(seconds: 1_700_000_000, microseconds: 250)

    static func dissector(_ linkType: LinkType = .rawIP, limits: CaptureLimits = CaptureLimits()) -> PacketDissector {
        PacketDissector(linkType: linkType, hepDecoder: HEPDecoder(), limits: limits)
    }

    @Test func findsUDPSIPBehindTwoVLANTags() throws {
        let sip = PacketBuilder.sipRequest(callID: "vlan")
        let frame = PacketBuilder.ethernet(
            PacketBuilder.ipv4UDP(sip, sourcePort: 5062, destinationPort: 5060),
            vlanTags: [(0x88a8, 100), (0x8100, 200)])
        var dissector = Self.dissector(.ethernet)
        let packets = dissector.dissect(frame: frame[...], at: Self.time)
        let packet = try #require(packets.first)
        #expect(packets.count == 1)
        #expect(packet.payload == sip)
        #expect(packet.source == TransportEndpoint(address: "10.0.0.1", port: 5062))
        #expect(packet.destination == TransportEndpoint(address: "10.0.0.2", port: 5060))
        #expect(packet.transport == .udp)
        #expect(packet.timestamp == Self.time)
    }

    @Test func skipsRTPAndOtherUDP() {
        var dissector = Self.dissector()
        let rtp: [UInt8] = [0x80, 0x00, 0x00, 0x01] + [UInt8](repeating: 0xd5, count: 172)
        let text = Array("Hello, not SIP\r\n".utf8)
        #expect(
            dissector.dissect(
                frame: PacketBuilder.ipv4UDP(rtp, sourcePort: 5060, destinationPort: 5060)[...], at: Self.time
            ).isEmpty)
        #expect(
            dissector.dissect(
                frame: PacketBuilder.ipv4UDP(text, sourcePort: 5060, destinationPort: 5060)[...], at: Self.time
            ).isEmpty)
    }

    @Test func reassemblesIPv4FragmentsArrivingOutOfOrder() throws {
        let sip = PacketBuilder.sipRequest(callID: "frag", body: String(repeating: "a=x\r\n", count: 300))
        let datagram = PacketBuilder.udp(sip, sourcePort: 5060, destinationPort: 5060)
        let size = (datagram.count / 3 + 8) / 8 * 8  // Fragment offsets count in 8-byte units.
        let pieces = stride(from: 0, to: datagram.count, by: size).map {
            Array(datagram[$0..<min($0 + size, datagram.count)])
        }
        #expect(pieces.count == 3)
        var dissector = Self.dissector()
        var found: [CapturedPacket] = []
        for index in [2, 0, 1] {
            let frame = PacketBuilder.ipv4(
                pieces[index], protocolNumber: 17, identification: 77, fragmentOffset: index * size,
                moreFragments: index < 2)
            found += dissector.dissect(frame: frame[...], at: Self.time)
        }
        #expect(found.count == 1)
        #expect(found.first?.payload == sip, "reassembled \(found.first?.payload.count ?? 0) of \(sip.count) bytes")
    }

    @Test func reassemblesIPv6FragmentsAfterAHopByHopHeader() throws {
        let sip = PacketBuilder.sipRequest(callID: "v6frag", body: String(repeating: "a=y\r\n", count: 100))
        let datagram = PacketBuilder.udp(sip, sourcePort: 5060, destinationPort: 5070)
        let hopByHop: [UInt8] = [44, 0, 1, 4, 0, 0, 0, 0]  // Next: fragment header; PadN option.
        let first = Array(datagram[0..<256])
        let second = Array(datagram[256...])
        let fragment1 = hopByHop + [17, 0] + PacketBuilder.be16(0 | 1) + PacketBuilder.be32(9) + first
        let fragment2 = hopByHop + [17, 0] + PacketBuilder.be16(256) + PacketBuilder.be32(9) + second
        var dissector = Self.dissector()
        #expect(dissector.dissect(frame: PacketBuilder.ipv6(fragment1, nextHeader: 0)[...], at: Self.time).isEmpty)
        let packets = dissector.dissect(frame: PacketBuilder.ipv6(fragment2, nextHeader: 0)[...], at: Self.time)
        let packet = try #require(packets.first)
        #expect(packet.payload == sip)
        #expect(packet.source.address == "2001:db8::1")
        #expect(packet.destination.port == 5070)
    }

    @Test func fragmentStorageIsBoundedAndTimesOut() {
        let limits = CaptureLimits(maximumPendingFragmentedDatagrams: 16, fragmentTimeout: 30)
        var reassembler = IPFragmentReassembler(limits: limits)
        let bytes = [UInt8](repeating: 1, count: 64)
        for identification in 0..<1000 {
            let key = IPFragmentReassembler.Key(
                source: .v4(1), destination: .v4(2), identification: UInt32(identification), protocolNumber: 17)
            _ = reassembler.add(
                .init(offset: 0, bytes: bytes[...], isLast: false), key: key, nextHeader: 17, at: Self.time)
        }
        #expect(reassembler.pendingCount == 16)
        let later = CaptureTime(seconds: 1_700_000_100, microseconds: 0)
        let key = IPFragmentReassembler.Key(source: .v4(3), destination: .v4(4), identification: 1, protocolNumber: 17)
        _ = reassembler.add(.init(offset: 0, bytes: bytes[...], isLast: false), key: key, nextHeader: 17, at: later)
        #expect(reassembler.pendingCount == 1)
        // Overlapping or oversize fragments do not complete anything bogus.
        _ = reassembler.add(.init(offset: 65_528, bytes: bytes[...], isLast: true), key: key, nextHeader: 17, at: later)
        #expect(reassembler.pendingCount == 0)
    }

    @Test func reassemblesTCPAcrossSegmentsOutOfOrderWithRetransmissions() throws {
        let first = PacketBuilder.sipRequest(callID: "tcp-1", body: "v=0\r\n")
        let second = PacketBuilder.sipRequest(callID: "tcp-2")
        let stream = first + Array("\r\n\r\n".utf8) + second  // With a keep-alive between the messages.
        let base: UInt32 = 4_294_967_000  // Sequence numbers wrap around inside the stream.
        let cuts = [0, 100, 250, stream.count]
        func segment(_ index: Int) -> [UInt8] {
            let bytes = Array(stream[cuts[index]..<cuts[index + 1]])
            return PacketBuilder.ipv4(
                PacketBuilder.tcp(bytes, sequence: base &+ 1 &+ UInt32(cuts[index])), protocolNumber: 6)
        }
        var dissector = Self.dissector()
        var found: [CapturedPacket] = []
        let syn = PacketBuilder.ipv4(PacketBuilder.tcp([], sequence: base, flags: 0x02), protocolNumber: 6)
        for frame in [syn, segment(0), segment(2), segment(0), segment(1), segment(2)] {
            found += dissector.dissect(frame: frame[...], at: Self.time)
        }
        #expect(found.map(\.payload) == [first, second])
        #expect(found.allSatisfy { $0.transport == .tcp && $0.destination.port == 5060 })
    }

    @Test func resynchronisesAfterAnOversizedOrGarbledStream() {
        var dissector = Self.dissector(limits: CaptureLimits(maximumMessageSize: 4096))
        var sequence: UInt32 = 1
        func send(_ bytes: [UInt8]) -> [CapturedPacket] {
            defer { sequence &+= UInt32(bytes.count) }
            let frame = PacketBuilder.ipv4(PacketBuilder.tcp(bytes, sequence: sequence), protocolNumber: 6)
            return dissector.dissect(frame: frame[...], at: Self.time)
        }
        // A header block that never ends: dropped once it passes the limit.
        #expect(send(Array("OPTIONS sip:x SIP/2.0\r\n".utf8)).isEmpty)
        for _ in 0..<20 { #expect(send(Array(String(repeating: "X-Pad: 0123456789\r\n", count: 50).utf8)).isEmpty) }
        // A bad Content-Length.
        #expect(send(Array("OPTIONS sip:x SIP/2.0\r\nContent-Length: many\r\n\r\n".utf8)).isEmpty)
        // The next segment that starts a message is found again.
        let sip = PacketBuilder.sipRequest(callID: "after")
        #expect(send(sip).map(\.payload) == [sip])
    }

    @Test func tcpFlowTableIsBounded() {
        var reassembler = TCPStreamReassembler(limits: CaptureLimits(maximumTCPFlows: 8))
        let partial = Array("INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\n".utf8)
        for port in 0..<500 {
            let key = TCPStreamReassembler.FlowKey(
                source: .v4(1), sourcePort: UInt16(port), destination: .v4(2), destinationPort: 5060)
            let segment = TCPStreamReassembler.Segment(
                sequence: 1, isSynchronize: false, isFinish: false, isReset: false, payload: partial[...])
            _ = reassembler.receive(segment, of: key, at: Self.time)
        }
        #expect(reassembler.flowCount == 8)
        #expect(reassembler.bufferedBytes == 8 * partial.count)
    }

    @Test func tcpBytesHeldAcrossFlowsAreBounded() {
        var reassembler = TCPStreamReassembler(limits: CaptureLimits(maximumBufferedStreamBytes: 10_000))
        let partial = Array(("INVITE sip:a@b SIP/2.0\r\n" + String(repeating: "X-Pad: 0123456789\r\n", count: 24)).utf8)
        func key(_ port: Int) -> TCPStreamReassembler.FlowKey {
            TCPStreamReassembler.FlowKey(
                source: .v4(1), sourcePort: UInt16(port), destination: .v4(2), destinationPort: 5060)
        }
        for port in 0..<100 {
            let segment = TCPStreamReassembler.Segment(
                sequence: 1, isSynchronize: false, isFinish: false, isReset: false, payload: partial[...])
            let time = CaptureTime(seconds: 1_700_000_000, microseconds: Int64(port))
            _ = reassembler.receive(segment, of: key(port), at: time)
            #expect(reassembler.bufferedBytes <= 10_000)
        }
        #expect(reassembler.flowCount < 100)
        // Out-of-order segments count too, and a reset releases everything the flow held.
        let ahead = TCPStreamReassembler.Segment(
            sequence: 100_000, isSynchronize: false, isFinish: false, isReset: false, payload: partial[...])
        let later = CaptureTime(seconds: 1_700_000_000, microseconds: 100)
        _ = reassembler.receive(ahead, of: key(99), at: later)
        #expect(reassembler.bufferedBytes <= 10_000)
        let before = reassembler.bufferedBytes
        let reset = TCPStreamReassembler.Segment(
            sequence: 0, isSynchronize: false, isFinish: false, isReset: true, payload: [])
        _ = reassembler.receive(reset, of: key(99), at: later)
        #expect(reassembler.bufferedBytes == before - 2 * partial.count)
    }

    @Test func findsSIPInsideWebSocketFrames() throws {
        let handshake = Array(
            "GET / HTTP/1.1\r\nHost: pbx\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n"
                .utf8)
        let sip = PacketBuilder.sipRequest(callID: "ws")
        let mask: [UInt8] = [0x11, 0x22, 0x33, 0x44]
        let masked = sip.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        let frame: [UInt8] = [0x81, 0xfe] + PacketBuilder.be16(sip.count) + mask + masked
        let ping: [UInt8] = [0x89, 0x00]
        var dissector = Self.dissector()
        var found: [CapturedPacket] = []
        var sequence: UInt32 = 1000
        for bytes in [handshake, ping + Array(frame.prefix(50)), Array(frame.dropFirst(50))] {
            let packet = PacketBuilder.ipv4(
                PacketBuilder.tcp(bytes, destinationPort: 8080, sequence: sequence), protocolNumber: 6)
            sequence &+= UInt32(bytes.count)
            found += dissector.dissect(frame: packet[...], at: Self.time)
        }
        #expect(found.map(\.payload) == [sip])
        #expect(found.first?.transport == .websocket)
    }

    @Test func unwrapsERSPANTypeII() throws {
        let sip = PacketBuilder.sipRequest(callID: "erspan")
        let inner = PacketBuilder.ethernet(PacketBuilder.ipv4UDP(sip, sourcePort: 5060, destinationPort: 5060))
        let gre: [UInt8] = [0x10, 0x00, 0x88, 0xbe] + PacketBuilder.be32(7) + [0x10, 0x01, 0, 0, 0, 0, 0, 0]
        let outer = PacketBuilder.ethernet(
            PacketBuilder.ipv4(gre + inner, protocolNumber: 47, source: [192, 0, 2, 1], destination: [192, 0, 2, 2]))
        var dissector = Self.dissector(.ethernet)
        let packets = dissector.dissect(frame: outer[...], at: Self.time)
        #expect(packets.map(\.payload) == [sip])
        #expect(packets.first?.source.address == "10.0.0.1")
    }

    @Test func handsUDPPayloadsThatLookLikeHEPToTheDecoder() throws {
        let packet = try #require(try TestFixtures.labHEPPackets().first)
        var dissector = Self.dissector()
        let found = dissector.dissect(
            frame: PacketBuilder.ipv4UDP(packet, sourcePort: 40000, destinationPort: 12345)[...], at: Self.time)
        #expect(dissector.statistics.hepPackets == 1)
        #expect(found.count == (TestFixtures.hepDecoderWorks ? 1 : 0))
    }

    @Test func readsLinuxCookedAndLoopbackFrames() {
        let sip = PacketBuilder.sipRequest(callID: "sll")
        let ip = PacketBuilder.ipv4UDP(sip, sourcePort: 5060, destinationPort: 5060)
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00] + ip
        let sll2: [UInt8] = [0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0] + ip
        let null: [UInt8] = [2, 0, 0, 0] + ip
        let loop: [UInt8] = [0, 0, 0, 2] + ip
        for (linkType, frame) in [(LinkType.linuxCooked, sll), (.linuxCookedV2, sll2), (.null, null), (.loop, loop)] {
            var dissector = Self.dissector(linkType)
            #expect(dissector.dissect(frame: frame[...], at: Self.time).map(\.payload) == [sip], "\(linkType)")
        }
    }
}
