import Dispatch
import Glibc
import Synchronization
import class RinglogCore.Locked

/// A UDP socket on 127.0.0.1 that plays the far end of a SIP exchange in tests.
///
/// Blocking receives run on the peer's own dispatch queue, never on the cooperative pool. Each receive
/// gives up after ten seconds, so a silent user agent fails the test instead of hanging it.
///
/// Over UDP a user agent retransmits a request until it gets an answer; on a busy machine a copy can
/// arrive after the test already answered. Retransmissions are byte-for-byte identical, so the peer
/// hands each distinct datagram to the test once and drops the copies.
final class UDPTestPeer: Sendable {
    struct Datagram: Sendable {
        var text: String
        var sender: sockaddr_in
    }

    struct SocketError: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation) failed with errno \(code)" }
    }

    let port: UInt16
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "ringlog.tests.udp-peer")
    private let seen = Locked<Set<String>>([])

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(operation: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw SocketError(operation: "bind", code: errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(descriptor)
    }

    /// The next datagram that is not a copy of one received before.
    func receive() async throws -> Datagram {
        for _ in 0..<50 {
            let datagram = try await receiveAny()
            if seen.withLock({ $0.insert(datagram.text).inserted }) { return datagram }
        }
        throw SocketError(operation: "recvfrom (only retransmissions arrived)", code: 0)
    }

    /// The next datagram, copy or not, received on the peer's queue.
    private func receiveAny() async throws -> Datagram {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [descriptor] in
                var buffer = [UInt8](repeating: 0, count: 65_535)
                var sender = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = withUnsafeMutablePointer(to: &sender) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, &buffer, buffer.count, 0, $0, &length)
                    }
                }
                guard count >= 0 else {
                    continuation.resume(throwing: SocketError(operation: "recvfrom", code: errno))
                    return
                }
                let text = String(decoding: buffer[..<count], as: UTF8.self)
                continuation.resume(returning: Datagram(text: text, sender: sender))
            }
        }
    }

    /// Sends `text` to `address`.
    func send(_ text: String, to address: sockaddr_in) throws {
        var address = address
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(descriptor, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { throw SocketError(operation: "sendto", code: errno) }
    }
}
