import Dispatch
import Glibc

/// The PBX's address as libre needs it: an IP literal (libre here has no DNS client), and the local
/// address that routes to it (for Via, Contact and SDP).
public struct SIPServerAddress: Sendable, Equatable {
    /// The server's IP address, IPv6 without brackets.
    public var ip: String
    /// The server's port.
    public var port: UInt16
    /// The local IP address the system would send from to reach the server.
    public var localIP: String

    /// Creates an address from known parts.
    public init(ip: String, port: UInt16, localIP: String) {
        self.ip = ip
        self.port = port
        self.localIP = localIP
    }

    /// The server as an outbound proxy URI, e.g. `sip:192.0.2.10:5060` (libre adds `;lr`).
    public var outboundProxy: String {
        ip.contains(":") ? "sip:[\(ip)]:\(port)" : "sip:\(ip):\(port)"
    }

    /// Resolves `host` (name or IP literal) and finds the local address toward it. The name lookup
    /// (`getaddrinfo`, which blocks) runs on a dispatch queue, off Swift's cooperative pool.
    /// - Throws: ``SIPServerAddressError`` when the name does not resolve or no route leads there.
    public static func resolve(host: String, port: UInt16) async throws(SIPServerAddressError) -> SIPServerAddress {
        let result: Result<SIPServerAddress, SIPServerAddressError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: lookUp(host: host, port: port))
            }
        }
        return try result.get()
    }

    private static func lookUp(host: String, port: UInt16) -> Result<SIPServerAddress, SIPServerAddressError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(.unknownHost(host, reason: String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        var lastErrno: Int32 = 0
        while let current = entry {
            entry = current.pointee.ai_next
            guard let address = current.pointee.ai_addr else { continue }
            let descriptor = socket(current.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            // connect() on a UDP socket sends nothing; it only picks the route and the source address.
            guard connect(descriptor, address, current.pointee.ai_addrlen) == 0 else {
                lastErrno = errno
                continue
            }
            var local = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            guard named == 0, let serverIP = numericHost(address, current.pointee.ai_addrlen),
                let localIP = withUnsafePointer(
                    to: &local,
                    {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { numericHost($0, length) }
                    })
            else { continue }
            return .success(SIPServerAddress(ip: serverIP, port: port, localIP: localIP))
        }
        return .failure(.noRoute(host, errno: lastErrno))
    }

    private static func numericHost(_ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else {
            return nil
        }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The PBX's address cannot be used.
public enum SIPServerAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The host name does not resolve.
    case unknownHost(String, reason: String)
    /// No route leads to the host.
    case noRoute(String, errno: Int32)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .unknownHost(let host, let reason): "the PBX host name '\(host)' does not resolve (\(reason))"
        case .noRoute(let host, let errno): "no network route to the PBX \(host) (errno \(errno))"
        }
    }
}
