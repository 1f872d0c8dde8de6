import Glibc
import RinglogCore
import Testing

@testable import RinglogCapture

@Suite struct LiveCaptureTests {
    /// Whether this process may capture on the loopback interface (root or CAP_NET_RAW).
    static let mayCaptureOnLoopback: Bool = {
        do {
            let capture = try LiveCapture(interface: "lo", filter: "udp port 9")
            capture.stop()
            return true
        } catch {
            return false
        }
    }()

    /// The first packet of `capture`, or `nil` if none arrives within about 10 seconds.
    static func firstPacket(of capture: LiveCapture) async -> CapturedPacket? {
        await withTaskGroup(of: CapturedPacket?.self) { group in
            group.addTask {
                var iterator = capture.packets.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                capture.stop()  // Finishes the stream, so the other task returns nil.
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test(.enabled(if: LiveCaptureTests.mayCaptureOnLoopback, "capturing on lo needs root or CAP_NET_RAW"))
    func capturesAUDPSIPMessageOnLoopback() async throws {
        let receiver = try #require(TestSockets.boundUDPPort())
        defer { close(receiver.descriptor) }
        let capture = try LiveCapture(interface: "lo", filter: "udp port \(receiver.port)")
        defer { capture.stop() }
        let message = Array(
            ("OPTIONS sip:ringlog@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK1\r\n"
                + "Call-ID: live-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").utf8)
        #expect(TestSockets.sendDatagram(Array("not sip".utf8), to: "127.0.0.1", port: receiver.port))
        #expect(TestSockets.sendDatagram(message, to: "127.0.0.1", port: receiver.port))
        let packet = try #require(await Self.firstPacket(of: capture))
        #expect(packet.payload == message)
        #expect(packet.transport == .udp)
        #expect(packet.destination == TransportEndpoint(address: "127.0.0.1", port: receiver.port))
        #expect(packet.timestamp.microsecondsSinceEpoch > 1_600_000_000_000_000)
        capture.stop()
        var rest = 0
        for await _ in capture.packets { rest += 1 }  // Finished after stop().
        #expect(rest == 0)
        #expect(capture.droppedPackets == 0)
    }

    @Test func refusesAnUnknownInterface() {
        #expect(throws: LiveCaptureError.self) {
            try LiveCapture(interface: "ringlog-no-such-if0")
        }
    }

    @Test(.enabled(if: LiveCaptureTests.mayCaptureOnLoopback, "capturing on lo needs root or CAP_NET_RAW"))
    func refusesAnInvalidFilter() {
        #expect(throws: LiveCaptureError.self) {
            try LiveCapture(interface: "lo", filter: "udp port banana")
        }
    }

    @Test(.enabled(if: LiveCaptureTests.mayCaptureOnLoopback, "capturing on lo needs root or CAP_NET_RAW"))
    func dropsAndCountsPacketsWhenTheConsumerFallsBehind() async throws {
        let receiver = try #require(TestSockets.boundUDPPort())
        defer { close(receiver.descriptor) }
        let capture = try LiveCapture(interface: "lo", filter: "udp port \(receiver.port)", bufferCapacity: 2)
        defer { capture.stop() }
        for index in 0..<6 {
            let message = Array("SIP/2.0 200 OK\r\nCall-ID: drop-\(index)\r\nContent-Length: 0\r\n\r\n".utf8)
            #expect(TestSockets.sendDatagram(message, to: "127.0.0.1", port: receiver.port))
        }
        #expect(await eventually { capture.droppedPackets == 4 })
        capture.stop()
        var kept: [String] = []
        for await packet in capture.packets { kept.append(String(decoding: packet.payload, as: UTF8.self)) }
        // The oldest two were kept; the newest were dropped.
        #expect(kept.count == 2)
        #expect(kept.first?.contains("drop-0") == true)
    }
}
