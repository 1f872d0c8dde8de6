import Glibc

/// Minimal blocking client sockets for tests (loopback only).
enum TestSockets {
    /// Sends one UDP datagram to `host:port`; returns whether the whole datagram was sent.
    @discardableResult
    static func sendDatagram(_ bytes: [UInt8], to host: String, port: UInt16) -> Bool {
        guard var address = socketAddress(host: host, port: port) else { return false }
        let descriptor = socket(Int32(address.ss_family), Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let length = addressLength(address)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress, buffer.count, 0, $0, length)
                }
            }
        }
        return sent == bytes.count
    }

    /// A connected TCP socket to `host:port`, or `nil`.
    static func connectTCP(to host: String, port: UInt16) -> Int32? {
        guard var address = socketAddress(host: host, port: port) else { return nil }
        let descriptor = socket(Int32(address.ss_family), Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        let length = addressLength(address)
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard status == 0 else {
            close(descriptor)
            return nil
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return descriptor
    }

    /// Writes all of `bytes` to a connected socket.
    @discardableResult
    static func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Whether the peer closed the connection (a read returns 0 or a reset) within the receive timeout.
    static func peerCloses(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        for _ in 0..<100 {
            let count = recv(descriptor, &byte, 1, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
        return false
    }

    /// A UDP socket bound to 127.0.0.1 on a free port (used as a destination nobody else sends to).
    static func boundUDPPort() -> (descriptor: Int32, port: UInt16)? {
        guard var address = socketAddress(host: "127.0.0.1", port: 0) else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var bound = sockaddr_in()
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &size) }
        }
        guard status == 0, named == 0 else {
            close(descriptor)
            return nil
        }
        return (descriptor, UInt16(bigEndian: bound.sin_port))
    }

    private static func socketAddress(host: String, port: UInt16) -> sockaddr_storage? {
        var storage = sockaddr_storage()
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = ipv4
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) } }
            return storage
        }
        if inet_pton(AF_INET6, host, &ipv6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = ipv6
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) } }
            return storage
        }
        return nil
    }

    private static func addressLength(_ storage: sockaddr_storage) -> socklen_t {
        storage.ss_family == sa_family_t(AF_INET6)
            ? socklen_t(MemoryLayout<sockaddr_in6>.size) : socklen_t(MemoryLayout<sockaddr_in>.size)
    }
}

/// Waits (bounded: at most about 20 seconds) until `condition` holds; returns whether it did.
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<2000 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
