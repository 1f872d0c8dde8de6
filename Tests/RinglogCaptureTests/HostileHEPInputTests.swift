import Foundation
import Glibc
import RinglogCore
import Testing

@testable import RinglogCapture

/// What anyone who can reach the HEP port may send: wrong capture passwords, garbage, datagrams of the largest
/// size UDP carries, SIP with huge headers. Each is refused and counted, and the listener keeps working.
@Suite struct HostileHEPInputTests {
    static let authKey = "right-capture-key"

    static func makeListener(authKey: String? = nil) throws -> HEPListener {
        try HEPListener(configuration: HEPListener.Configuration(host: "127.0.0.1", port: 0, authKey: authKey))
    }

    /// A lab packet with an auth-key chunk (0x000e) appended and its total length fixed.
    static func withAuthKey(_ packet: [UInt8], _ key: String) -> [UInt8] {
        var packet = packet + HEPBuilder.chunk(0x000e, Array(key.utf8))
        packet.replaceSubrange(4..<6, with: PacketBuilder.be16(packet.count))
        return packet
    }

    /// Sends `datagrams` in small batches, waiting until the listener has counted each batch, so that the
    /// kernel's receive buffer never overflows on a loaded machine.
    static func send(_ datagrams: [[UInt8]], to listener: HEPListener) async throws -> Bool {
        let port = try #require(listener.udpPort)
        var sent = listener.counters.received
        for batch in stride(from: 0, to: datagrams.count, by: 32) {
            for datagram in datagrams[batch..<min(batch + 32, datagrams.count)] {
                guard TestSockets.sendDatagram(datagram, to: "127.0.0.1", port: port) else { return false }
                sent += 1
            }
            let expected = sent
            guard await eventually({ listener.counters.received == expected }) else { return false }
        }
        return true
    }

    @Test func wrongAndMissingCaptureKeysAreRefusedAndCounted() async throws {
        let listener = try Self.makeListener(authKey: Self.authKey)
        defer { listener.stop() }
        let packets = try TestFixtures.labHEPPackets()
        let wrong = packets.map { Self.withAuthKey($0, "wrong-capture-key") }
        let prefixOfRight = packets.map { Self.withAuthKey($0, String(Self.authKey.dropLast())) }
        #expect(try await Self.send(wrong + prefixOfRight + packets, to: listener))
        #expect(listener.counters.authFailed == 3 * packets.count)
        #expect(listener.counters.decoded == 0)
        guard TestFixtures.hepDecoderWorks else { return }
        #expect(try await Self.send(packets.map { Self.withAuthKey($0, Self.authKey) }, to: listener))
        #expect(listener.counters.decoded == packets.count)
        #expect(listener.counters.authFailed == 3 * packets.count)
    }

    @Test func garbageAndLargestDatagramsAreCountedAndTheListenerKeepsWorking() async throws {
        let listener = try Self.makeListener()
        defer { listener.stop() }
        // 65,507 bytes: the largest UDP payload over IPv4.
        let largest = 65_507
        var declaredLargest = Array("HEP3".utf8) + PacketBuilder.be16(largest)
        declaredLargest += [UInt8](repeating: 0xA5, count: largest - declaredLargest.count)
        var chunkClaimsTooMuch = Array("HEP3".utf8) + PacketBuilder.be16(64) + [0, 0, 0, 0x0f, 0xff, 0xff]
        chunkClaimsTooMuch += [UInt8](repeating: 0, count: 64 - chunkClaimsTooMuch.count)
        var generator = SplitMix64(seed: 0x5eed)
        var garbage: [[UInt8]] = [declaredLargest, [UInt8](repeating: 0xff, count: largest), chunkClaimsTooMuch]
        for index in 0..<400 {
            var datagram = (0..<Int(generator.next() % 1500)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Half start like HEP, so that the decoder reads their chunks rather than stopping at the magic.
            if index % 2 == 0 { datagram = Array("HEP3".utf8) + PacketBuilder.be16(datagram.count + 6) + datagram }
            garbage.append(datagram)
        }
        #expect(try await Self.send(garbage, to: listener))
        let counters = listener.counters
        #expect(counters.received == garbage.count)
        #expect(counters.decoded + counters.malformed + counters.nonSIP + counters.authFailed == garbage.count)
        #expect(counters.malformed >= 3)
        guard TestFixtures.hepDecoderWorks else { return }
        let packets = try TestFixtures.labHEPPackets()
        #expect(try await Self.send(packets, to: listener))
        #expect(listener.counters.decoded == counters.decoded + packets.count)
    }

    @Test func sipWithAHugeHeaderIsHandledWithoutStoppingTheListener() async throws {
        let listener = try Self.makeListener()
        defer { listener.stop() }
        let filler = String(repeating: "x", count: 60_000)
        let sip =
            Array(
                "INVITE sip:100@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:1@pbx>;tag=a\r\n"
                    .utf8)
            + Array("To: <sip:100@pbx>\r\nCall-ID: huge\r\nCSeq: 1 INVITE\r\nX-Filler: \(filler)\r\n\r\n".utf8)
        #expect(try await Self.send([HEPBuilder.packet(sip)], to: listener))
        let counters = listener.counters
        #expect(counters.decoded + counters.malformed == 1)
        guard TestFixtures.hepDecoderWorks else { return }
        #expect(try await Self.send(try TestFixtures.labHEPPackets(), to: listener))
        #expect(listener.counters.decoded >= 1)
    }

    @Test func listensOnLoopbackUnlessConfiguredOtherwise() throws {
        #expect(HEPListener.Configuration().host == "127.0.0.1")
        let minimal =
            #"{"tenant": "acme", "state_dir": "/var/lib/ringlog/acme", "hep": {}, "pipedrive": {"base_url": "https://acme.pipedrive.com", "api_token": "t"}}"#
        let configuration = try TenantConfiguration(json: JSONValue(parsing: Data(minimal.utf8)))
        #expect(configuration.hep.listen.isLoopback)
        #expect(HEPListener.Configuration(listenAddress: configuration.hep.listen.description)?.host == "127.0.0.1")
    }
}

/// Builds HEP v3 packets chunk by chunk.
enum HEPBuilder {
    static func chunk(_ type: Int, _ value: [UInt8]) -> [UInt8] {
        [0, 0] + PacketBuilder.be16(type) + PacketBuilder.be16(value.count + 6) + value
    }

    /// A SIP-over-UDP capture from 10.0.0.1:5060 to 10.0.0.2:5060.
    static func packet(_ sip: [UInt8]) -> [UInt8] {
        let chunks =
            chunk(0x0001, [2]) + chunk(0x0002, [17]) + chunk(0x0003, [10, 0, 0, 1]) + chunk(0x0004, [10, 0, 0, 2])
            + chunk(0x0007, PacketBuilder.be16(5060)) + chunk(0x0008, PacketBuilder.be16(5060))
            + chunk(0x0009, PacketBuilder.be32(1_700_000_000)) + chunk(0x000a, PacketBuilder.be32(0))
            + chunk(0x000b, [1]) + chunk(0x000c, PacketBuilder.be32(1)) + chunk(0x000f, sip)
        return Array("HEP3".utf8) + PacketBuilder.be16(chunks.count + 6) + chunks
    }
}
