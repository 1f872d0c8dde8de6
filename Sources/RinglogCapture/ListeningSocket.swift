import Glibc

/// Creating, binding and reading POSIX sockets for the HEP listener.
enum ListeningSocket {
    /// A socket error with the failing call and `errno` text.
    struct Failure: Error {
        var description: String
        var code: Int32
    }

    /// Parses a numeric IPv4 or IPv6 address (no host names: the listener must not depend on DNS).
    static func socketAddress(host: String, port: UInt16) -> sockaddr_storage? {
        var storage = sockaddr_storage()
        let trimmed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var ipv4 = in_addr()
        if inet_pton(AF_INET, trimmed, &ipv4) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr = ipv4
                withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) }
            }
            return storage
        }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, trimmed, &ipv6) == 1 {
            withUnsafeMutableBytes(of: &storage) { raw in
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                address.sin6_addr = ipv6
                withUnsafeBytes(of: &address) { raw.copyMemory(from: $0) }
            }
            return storage
        }
        return nil
    }

    /// The byte length of the address structure for `storage`'s family.
    static func length(of storage: sockaddr_storage) -> socklen_t {
        storage.ss_family == sa_family_t(AF_INET6)
            ? socklen_t(MemoryLayout<sockaddr_in6>.size) : socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    /// `address:port` text for a peer address (for log lines).
    static func describe(_ storage: sockaddr_storage) -> String {
        var copy = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> String in
                if storage.ss_family == sa_family_t(AF_INET6) {
                    return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                        var raw = ipv6.pointee.sin6_addr
                        _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                        return "[\(cText(text))]:\(UInt16(bigEndian: ipv6.pointee.sin6_port))"
                    }
                }
                return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                    var raw = ipv4.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                    return "\(cText(text)):\(UInt16(bigEndian: ipv4.pointee.sin_port))"
                }
            }
        }
    }

    /// A non-blocking, close-on-exec socket bound to `address`; TCP sockets also listen.
    static func bound(to address: sockaddr_storage, type: __socket_type) throws(Failure) -> Int32 {
        let descriptor = socket(
            Int32(address.ss_family), Int32(type.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket") }
        var one: Int32 = 1
        if type == SOCK_STREAM {
            _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        } else {
            // Room for a burst of HEP datagrams while the consumer catches up.
            var size: Int32 = 4 * 1024 * 1024
            _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var copy = address
        let status = withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length(of: address)) }
        }
        guard status == 0 else {
            let error = failure("bind")
            close(descriptor)
            throw error
        }
        if type == SOCK_STREAM, listen(descriptor, 64) != 0 {
            let error = failure("listen")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// The port a socket is bound to.
    static func boundPort(of descriptor: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &size) }
        }
        guard status == 0 else { return 0 }
        let isIPv6 = storage.ss_family == sa_family_t(AF_INET6)
        return withUnsafePointer(to: &storage) { pointer in
            isIPv6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin_port)
                }
        }
    }

    /// The text in a NUL-terminated C character buffer.
    static func cText(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func failure(_ call: String) -> Failure {
        let code = errno
        return Failure(description: "\(call): \(String(cString: strerror(code)))", code: code)
    }
}
