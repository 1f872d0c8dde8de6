import Glibc
import RinglogCore
import Synchronization
import Testing

@testable import RinglogCapture

@Suite struct HEPListenerTests {
    static func makeListener(
        host: String = "127.0.0.1", maximumConnections: Int = 8, logger: CaptureLogger = .disabled
    ) throws -> HEPListener {
        try HEPListener(
            configuration: HEPListener.Configuration(host: host, port: 0, maximumConnections: maximumConnections),
            logger: logger)
    }

    @Test func bindsUDPAndTCPOnTheSameEphemeralPort() throws {
        let listener = try Self.makeListener()
        defer { listener.stop() }
        let udpPort = try #require(listener.udpPort)
        #expect(udpPort != 0)
        #expect(listener.tcpPort == udpPort)
    }

    @Test func countsEveryLabDatagramAndDecodesThemWhenTheDecoderWorks() async throws {
        let listener = try Self.makeListener()
        defer { listener.stop() }
        let port = try #require(listener.udpPort)
        let packets = try TestFixtures.labHEPPackets()
        #expect(packets.count == 21)
        for packet in packets {
            #expect(TestSockets.sendDatagram(packet, to: "127.0.0.1", port: port))
        }
        #expect(await eventually { listener.counters.received == packets.count })
        let counters = listener.counters
        #expect(counters.decoded + counters.malformed + counters.nonSIP + counters.authFailed == packets.count)
        guard TestFixtures.hepDecoderWorks else { return }
        #expect(counters.decoded == packets.count)
        var iterator = listener.packets.makeAsyncIterator()
        for _ in 0..<packets.count {
            let packet = try #require(await iterator.next())
            #expect(SIPStartLine.isSIPMessage(packet.payload[...]))
        }
    }

    @Test func malformedDatagramsAreCountedLoggedAndDoNotStopTheListener() async throws {
        let lines = Locked<[String]>([])
        let logger = CaptureLogger { line in lines.withLock { $0.append(line) } }
        let listener = try Self.makeListener(logger: logger)
        defer { listener.stop() }
        let port = try #require(listener.udpPort)
        let garbage: [[UInt8]] = [
            Array("hello".utf8), [0x02], Array("HEP3".utf8) + [0x00, 0x03], [UInt8](repeating: 0xff, count: 2000),
        ]
        for datagram in garbage { TestSockets.sendDatagram(datagram, to: "127.0.0.1", port: port) }
        #expect(await eventually { listener.counters.malformed == garbage.count })
        #expect(lines.withLock { $0.count } >= garbage.count)
        // Still listening.
        let packet = try #require(try TestFixtures.labHEPPackets().first)
        TestSockets.sendDatagram(packet, to: "127.0.0.1", port: port)
        #expect(await eventually { listener.counters.received == garbage.count + 1 })
    }

    @Test func framesATCPStreamWrittenInOddChunks() async throws {
        let listener = try Self.makeListener()
        defer { listener.stop() }
        let port = try #require(listener.tcpPort)
        let stream = try TestFixtures.labHEPStream()
        let connection = try #require(TestSockets.connectTCP(to: "127.0.0.1", port: port))
        defer { close(connection) }
        // Chunk sizes that split headers and length fields: 1, 5, 7, 333, 1, 5, 7, 333, ...
        var offset = 0
        var round = 0
        let sizes = [1, 5, 7, 333]
        while offset < stream.count {
            let end = min(stream.count, offset + sizes[round % sizes.count])
            #expect(TestSockets.writeAll(stream[offset..<end], to: connection))
            offset = end
            round += 1
        }
        #expect(await eventually { listener.counters.received == 21 })
        if TestFixtures.hepDecoderWorks {
            #expect(listener.counters.decoded == 21)
        }
    }

    @Test func closesATCPConnectionThatIsNotHEP() async throws {
        let listener = try Self.makeListener()
        defer { listener.stop() }
        let port = try #require(listener.tcpPort)
        let connection = try #require(TestSockets.connectTCP(to: "127.0.0.1", port: port))
        defer { close(connection) }
        TestSockets.writeAll(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)[...], to: connection)
        #expect(TestSockets.peerCloses(connection))
        #expect(listener.counters.malformed == 1)
    }

    @Test func refusesConnectionsBeyondTheLimit() async throws {
        let listener = try Self.makeListener(maximumConnections: 2)
        defer { listener.stop() }
        let port = try #require(listener.tcpPort)
        let first = try #require(TestSockets.connectTCP(to: "127.0.0.1", port: port))
        defer { close(first) }
        let second = try #require(TestSockets.connectTCP(to: "127.0.0.1", port: port))
        defer { close(second) }
        // Both are served: a packet on the second one arrives.
        let packet = try #require(try TestFixtures.labHEPPackets().first)
        TestSockets.writeAll(packet[...], to: second)
        #expect(await eventually { listener.counters.received == 1 })
        let third = try #require(TestSockets.connectTCP(to: "127.0.0.1", port: port))
        defer { close(third) }
        #expect(TestSockets.peerCloses(third))
    }

    @Test func listensOnIPv6Loopback() async throws {
        // Skipped quietly where the host has no IPv6 loopback (some containers).
        guard let listener = try? Self.makeListener(host: "::1") else { return }
        defer { listener.stop() }
        let port = try #require(listener.udpPort)
        TestSockets.sendDatagram(Array("not hep".utf8), to: "::1", port: port)
        #expect(await eventually { listener.counters.malformed == 1 })
    }

    @Test func stopFinishesThePacketStreamAndFreesThePort() async throws {
        let listener = try Self.makeListener()
        let port = try #require(listener.udpPort)
        listener.stop()
        listener.stop()
        var count = 0
        for await _ in listener.packets { count += 1 }
        #expect(count == 0)
        let again = try HEPListener(configuration: HEPListener.Configuration(host: "127.0.0.1", port: port))
        again.stop()
    }

    @Test(
        arguments: [
            ("127.0.0.1:9060", "127.0.0.1", 9060), ("[::1]:19060", "::1", 19060), ("0.0.0.0", "0.0.0.0", 9060),
            ("::", "::", 9060), ("[::]", "::", 9060),
        ] as [(String, String, UInt16)])
    func parsesListenAddresses(_ text: String, _ host: String, _ port: UInt16) throws {
        let configuration = try #require(HEPListener.Configuration(listenAddress: text))
        #expect(configuration.host == host)
        #expect(configuration.port == port)
    }

    @Test(arguments: ["localhost:9060", "127.0.0.1:99999", "[::1", "1.2.3.4:x", ""])
    func rejectsListenAddressesThatAreNotNumeric(_ text: String) {
        #expect(HEPListener.Configuration(listenAddress: text) == nil)
    }

    @Test func refusesANonNumericHost() {
        #expect(throws: HEPListenerError.self) {
            try HEPListener(configuration: HEPListener.Configuration(host: "pbx.example.com", port: 0))
        }
    }
}
