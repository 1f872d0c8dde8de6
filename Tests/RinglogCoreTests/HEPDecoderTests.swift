import RinglogCore
import Testing

/// Builds HEP v3 packets chunk by chunk.
private struct HEPBuilder {
    var chunks: [UInt8] = []
    var magic: [UInt8] = Array("HEP3".utf8)

    mutating func add(_ type: UInt16, _ body: [UInt8], vendor: UInt16 = 0) {
        let length = body.count + 6
        chunks += [UInt8(vendor >> 8), UInt8(vendor & 0xff), UInt8(type >> 8), UInt8(type & 0xff)]
        chunks += [UInt8(length >> 8), UInt8(length & 0xff)] + body
    }

    mutating func add(_ type: UInt16, uint16 value: UInt16) { add(type, [UInt8(value >> 8), UInt8(value & 0xff)]) }

    mutating func add(_ type: UInt16, uint32 value: UInt32) {
        add(type, [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)])
    }

    var bytes: [UInt8] {
        let total = chunks.count + 6
        return magic + [UInt8(total >> 8), UInt8(total & 0xff)] + chunks
    }

    /// A packet as Asterisk's res_hep sends it: every chunk ringlog reads, IPv4.
    static func typical(payload: String = "OPTIONS sip:a@b SIP/2.0\r\n\r\n") -> HEPBuilder {
        var builder = HEPBuilder()
        builder.add(0x0001, [2])
        builder.add(0x0002, [17])
        builder.add(0x0007, uint16: 5060)
        builder.add(0x0008, uint16: 9060)
        builder.add(0x0009, uint32: 1_795_233_216)
        builder.add(0x000a, uint32: 123_456)
        builder.add(0x000b, [1])
        builder.add(0x000c, uint32: 2001)
        builder.add(0x0003, [192, 0, 2, 1])
        builder.add(0x0004, [10, 0, 0, 254])
        builder.add(0x000f, Array(payload.utf8))
        return builder
    }
}

@Suite("HEP decoder")
struct HEPDecoderTests {
    @Test("reads every field of a typical IPv4 packet")
    func typicalPacket() throws {
        let packet = try HEPDecoder().decode(HEPBuilder.typical().bytes)
        #expect(packet.source == TransportEndpoint(address: "192.0.2.1", port: 5060))
        #expect(packet.destination == TransportEndpoint(address: "10.0.0.254", port: 9060))
        #expect(packet.timestamp == CaptureTime(seconds: 1_795_233_216, microseconds: 123_456))
        #expect(packet.transport == .udp)
        #expect(packet.captureAgentID == 2001)
        #expect(packet.correlationID == nil)
        #expect(String(decoding: packet.payload, as: UTF8.self) == "OPTIONS sip:a@b SIP/2.0\r\n\r\n")
    }

    @Test("EEP3 magic is accepted, like HEP3")
    func eepMagic() throws {
        var builder = HEPBuilder.typical()
        builder.magic = Array("EEP3".utf8)
        #expect(try HEPDecoder().decode(builder.bytes).source.port == 5060)
    }

    @Test("IPv6 addresses in RFC 5952 text form")
    func ipv6() throws {
        var builder = HEPBuilder()
        builder.add(0x0001, [10])
        builder.add(0x0002, [6])
        builder.add(0x0005, [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
        builder.add(0x0006, [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0xab, 0xcd])
        builder.add(0x0007, uint16: 5061)
        builder.add(0x0008, uint16: 5060)
        builder.add(0x0009, uint32: 1_700_000_000)
        builder.add(0x000f, Array("x".utf8))
        let packet = try HEPDecoder().decode(builder.bytes)
        #expect(packet.source.address == "2001:db8::1")
        #expect(packet.destination.address == "fe80::1234:0:0:abcd")
        #expect(packet.destination.description == "[fe80::1234:0:0:abcd]:5060")
        #expect(packet.transport == .tcp)
    }

    @Test("transport from the IP protocol chunk", arguments: [(UInt8(17), "udp"), (6, "tcp"), (132, "sctp")])
    func transport(ipProtocol: UInt8, expected: String) throws {
        var builder = HEPBuilder.typical()
        builder.add(0x0002, [ipProtocol])
        #expect(try HEPDecoder().decode(builder.bytes).transport.rawValue == expected)
    }

    @Test("correlation id, agent name, keep-alive, VLAN, vendor and unknown chunks")
    func optionalChunks() throws {
        var builder = HEPBuilder.typical()
        builder.add(0x0011, Array("abc-123@pbx".utf8))
        builder.add(0x000d, uint16: 30)
        builder.add(0x0012, uint16: 42)
        builder.add(0x0013, Array("asterisk-1".utf8))
        builder.add(0x0020, [1, 2, 3, 4, 5, 6, 7])
        builder.add(0x0001, [9, 9, 9], vendor: 4)
        builder.add(0x7777, [])
        let packet = try HEPDecoder().decode(builder.bytes)
        #expect(packet.correlationID == "abc-123@pbx")
        #expect(packet.captureAgentID == 2001)
    }

    @Test("a two-byte capture agent id is read too")
    func shortAgentID() throws {
        var builder = HEPBuilder()
        builder.add(0x0003, [127, 0, 0, 1])
        builder.add(0x0004, [127, 0, 0, 1])
        builder.add(0x0009, uint32: 1_700_000_000)
        builder.add(0x000c, uint16: 7)
        builder.add(0x000f, Array("x".utf8))
        #expect(try HEPDecoder().decode(builder.bytes).captureAgentID == 7)
    }

    @Test("auth key: accepted when equal, refused when different or missing")
    func authKey() throws {
        var good = HEPBuilder.typical()
        good.add(0x000e, Array("s3cret".utf8))
        #expect(try HEPDecoder(authKey: "s3cret").decode(good.bytes).source.port == 5060)
        #expect(throws: HEPDecodingError.authenticationFailed) { try HEPDecoder(authKey: "other").decode(good.bytes) }
        #expect(throws: HEPDecodingError.authenticationFailed) {
            try HEPDecoder(authKey: "s3cret").decode(HEPBuilder.typical().bytes)
        }
        var prefix = HEPBuilder.typical()
        prefix.add(0x000e, Array("s3cre".utf8))
        #expect(throws: HEPDecodingError.authenticationFailed) {
            try HEPDecoder(authKey: "s3cret").decode(prefix.bytes)
        }
        // Without a configured key, a packet's key is ignored.
        #expect(try HEPDecoder().decode(good.bytes).source.port == 5060)
    }

    @Test("compressed payload chunk goes through the inflate closure")
    func compressedChunk() throws {
        var builder = HEPBuilder.typical()
        builder.add(0x0010, [0x78, 0x9c, 1, 2, 3])
        let decoder = HEPDecoder(inflate: { input in input == [0x78, 0x9c, 1, 2, 3] ? Array("BYE".utf8) : nil })
        #expect(try decoder.decode(builder.bytes).payload == Array("BYE".utf8))
        #expect(throws: HEPDecodingError.decompressionFailed) { try HEPDecoder().decode(builder.bytes) }
        let failing = HEPDecoder(inflate: { _ in nil })
        #expect(throws: HEPDecodingError.decompressionFailed) { try failing.decode(builder.bytes) }
    }

    @Test("a zlib stream in the plain payload chunk is inflated too")
    func zlibInPayloadChunk() throws {
        let builder = HEPBuilder.typical(payload: "x\u{5e}…")
        let decoder = HEPDecoder(inflate: { _ in Array("ACK".utf8) })
        #expect(try decoder.decode(builder.bytes).payload == Array("ACK".utf8))
    }

    @Test("non-SIP payload types are refused")
    func notSIP() {
        var builder = HEPBuilder.typical()
        builder.add(0x000b, [5])
        #expect(throws: HEPDecodingError.notSIP) { try HEPDecoder().decode(builder.bytes) }
    }

    @Test("microseconds of a million or more are refused")
    func badMicroseconds() {
        var builder = HEPBuilder.typical()
        builder.add(0x000a, uint32: 1_000_000)
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(builder.bytes) }
    }

    @Test("missing time, addresses or payload are refused")
    func missingChunks() {
        for skipped: UInt16 in [0x0009, 0x0003, 0x000f] {
            var builder = HEPBuilder()
            builder.add(0x0004, [127, 0, 0, 1])
            if skipped != 0x0003 { builder.add(0x0003, [127, 0, 0, 1]) }
            if skipped != 0x0009 { builder.add(0x0009, uint32: 1_700_000_000) }
            if skipped != 0x000f { builder.add(0x000f, [1]) }
            #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(builder.bytes) }
        }
    }

    @Test("bad lengths are malformed, not a crash")
    func badLengths() {
        var shortChunk = HEPBuilder.typical().bytes
        shortChunk[11] = 3  // first chunk's length below its header
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(shortChunk) }
        var longChunk = HEPBuilder.typical().bytes
        longChunk[10] = 0xff  // first chunk runs past the packet
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(longChunk) }
        var longTotal = HEPBuilder.typical().bytes
        longTotal[4] = 0xff
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(longTotal) }
        var wrongAddress = HEPBuilder.typical()
        wrongAddress.add(0x0003, [1, 2, 3])
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(wrongAddress.bytes) }
    }

    @Test("bytes that are not HEP", arguments: [[], [0x48], Array("GET / HTTP/1.1".utf8), [3, 0, 0, 0, 0, 0]])
    func notHEP(bytes: [UInt8]) {
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(bytes) }
    }

    @Test("HEP v2 with little-endian time (Kamailio, sngrep)")
    func version2LittleEndian() throws {
        var bytes: [UInt8] = [2, 16, 2, 17, 0x13, 0xc4, 0x3a, 0xa4, 10, 0, 0, 1, 10, 0, 0, 2]
        let seconds: UInt32 = 1_795_233_216
        bytes += withUnsafeBytes(of: seconds.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: UInt32(250_000).littleEndian, Array.init)
        bytes += [0xd1, 0x07]  // capture id 2001, little-endian
        bytes += Array("INVITE sip:x SIP/2.0\r\n".utf8)
        let packet = try HEPDecoder().decode(bytes)
        #expect(packet.source == TransportEndpoint(address: "10.0.0.1", port: 5060))
        #expect(packet.destination == TransportEndpoint(address: "10.0.0.2", port: 15012))
        #expect(packet.timestamp == CaptureTime(seconds: 1_795_233_216, microseconds: 250_000))
        #expect(packet.captureAgentID == 2001)
        #expect(packet.payload == Array("INVITE sip:x SIP/2.0\r\n".utf8))
    }

    @Test("HEP v2 with big-endian time and IPv6 (heplify-server's reading)")
    func version2BigEndianIPv6() throws {
        var bytes: [UInt8] = [2, 28, 10, 6, 0x13, 0xc4, 0x13, 0xc4]
        bytes += [UInt8](repeating: 0, count: 15) + [1]
        bytes += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]
        bytes += withUnsafeBytes(of: UInt32(1_795_233_216).bigEndian, Array.init)
        bytes += withUnsafeBytes(of: UInt32(1).bigEndian, Array.init)
        bytes += [0, 9]
        bytes += Array("BYE".utf8)
        let packet = try HEPDecoder().decode(bytes)
        #expect(packet.source.address == "::1")
        #expect(packet.destination.address == "2001:db8::2")
        #expect(packet.timestamp == CaptureTime(seconds: 1_795_233_216, microseconds: 1))
        #expect(packet.transport == .tcp)
        #expect(packet.captureAgentID == 9)
    }

    @Test("HEP v1 (no time) and v2 with no valid time are refused")
    func version1AndBadTime() {
        let v1: [UInt8] = [1, 16, 2, 17, 0, 1, 0, 2, 10, 0, 0, 1, 10, 0, 0, 2] + Array("BYE".utf8)
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(v1) }
        let v2: [UInt8] =
            [2, 16, 2, 17, 0, 1, 0, 2, 10, 0, 0, 1, 10, 0, 0, 2] + [0xff, 0xff, 0xff, 0xff]
            + [0xff, 0xff, 0xff, 0xff] + [0, 0] + Array("BYE".utf8)
        #expect(throws: HEPDecodingError.self) { try HEPDecoder().decode(v2) }
    }

    @Test("packet length for framing")
    func packetLength() {
        let bytes = HEPBuilder.typical().bytes
        #expect(HEPDecoder.packetLength(startingWith: bytes) == bytes.count)
        #expect(HEPDecoder.packetLength(startingWith: bytes.prefix(5)) == nil)
        #expect(HEPDecoder.packetLength(startingWith: [2, 16, 2, 17, 0, 0, 0]) == nil)
        #expect(HEPDecoder.packetLength(startingWith: Array("HEP3".utf8) + [0, 3]) == nil)
        let twice = bytes + bytes + bytes.prefix(9)
        #expect(Array(HEPPacketSequence(twice)).count == 2)
    }

    @Test("every recorded lab datagram decodes as SIP from 127.0.0.1", arguments: HEPFixtures.scenarios)
    func labDatagrams(scenario: String) throws {
        let bytes = try HEPFixtures.bytes(scenario)
        let datagrams = try HEPFixtures.datagrams(scenario)
        #expect(datagrams.reduce(0) { $0 + $1.count } == bytes.count)
        for datagram in datagrams {
            let packet = try HEPDecoder().decode(datagram)
            #expect(packet.source.address == "127.0.0.1")
            #expect(packet.destination.address == "127.0.0.1")
            #expect(packet.captureAgentID == 2001)
            #expect(packet.timestamp.microsecondsSinceEpoch > 1_795_000_000_000_000)
            #expect(packet.payload.starts(with: Array("SIP/2.0 ".utf8)) || packet.payload.contains(UInt8(ascii: " ")))
        }
    }

    @Test("every prefix and bounded random mutations of real datagrams never trap")
    func hostileInput() throws {
        var datagrams: [[UInt8]] = []
        for scenario in HEPFixtures.scenarios { datagrams += try HEPFixtures.datagrams(scenario).prefix(2) }
        datagrams.append(HEPBuilder.typical().bytes)
        let decoder = HEPDecoder(authKey: "k", inflate: { _ in nil })
        var generator = SplitMix64(seed: 0x5eed)
        for datagram in datagrams {
            for length in 0..<datagram.count {
                _ = try? decoder.decode(datagram.prefix(length))
            }
            for _ in 0..<300 {
                var mutated = datagram
                for _ in 0..<Int(generator.next() % 4 + 1) {
                    let index = Int(generator.next() % UInt64(mutated.count))
                    mutated[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                _ = try? decoder.decode(mutated)
                _ = HEPDecoder.packetLength(startingWith: mutated)
            }
        }
    }
}

/// A small deterministic random number generator for bounded fuzzing.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
