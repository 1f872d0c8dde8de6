import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// Where a connection goes: scheme, host and port. Connections are pooled per origin.
struct HTTPOrigin: Hashable, Sendable {
    /// Whether the connection uses TLS (`https`).
    var secure: Bool
    /// The host name or IP address literal, without brackets.
    var host: String
    /// The TCP port.
    var port: Int

    /// The `Host` header's value: the port only when it is not the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }
}

/// A write that failed: `sentNothing` tells whether not a single byte left for the server, which is the only
/// case in which the request may be sent again.
struct ConnectionWriteFailure: Error {
    /// True when the connection failed before the first byte of the request was accepted.
    var sentNothing: Bool
    /// What broke, for the log.
    var detail: String
}

/// One TCP connection, with TLS on top for `https`: non-blocking socket, every wait bounded by
/// ``HTTPExchangeLimits``. Used by one exchange at a time (the pool hands it out exclusively).
final class HTTPConnection: @unchecked Sendable {
    // Invariant: a connection is either in the pool's idle list or owned by exactly one exchange, never both;
    // the pool's mutex orders the hand-overs, so its mutable state is never touched by two threads at once.
    let origin: HTTPOrigin
    private let fd: Int32
    private let tls: OpaquePointer?
    /// OpenSSL's functions when `tls` is set.
    private let openSSL: copenssl_functions?
    /// Bytes read from the connection and not yet consumed.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var closed = false
    /// When the connection went back to the pool.
    var idleSince = MonotonicInstant.now

    private init(origin: HTTPOrigin, fd: Int32, tls: OpaquePointer?, openSSL: copenssl_functions?) {
        self.origin = origin
        self.fd = fd
        self.tls = tls
        self.openSSL = openSSL
    }

    deinit { close() }

    /// Connects to `origin` (each address of the host in turn), or to `proxy` when one is given, and completes
    /// the TLS handshake for `https` (through the proxy, inside a `CONNECT` tunnel).
    /// - Throws: ``TransportFailure/cannotConnect(_:)`` (including a certificate that does not verify and a
    ///   proxy that refuses the tunnel), ``TransportFailure/timedOut``, `CancellationError`.
    static func open(
        to origin: HTTPOrigin, via proxy: HTTPProxy? = nil, tls context: TLSContext?, limits: HTTPExchangeLimits
    ) throws -> HTTPConnection {
        let fd = try connectSocket(to: proxy?.origin ?? origin, limits: limits)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        guard let context else { return HTTPConnection(origin: origin, fd: fd, tls: nil, openSSL: nil) }
        if let proxy {
            // The proxy's answer is read through a plain connection on the socket, which then lets go of it (and
            // closes it on every failure).
            let tunnel = HTTPConnection(origin: proxy.origin, fd: fd, tls: nil, openSSL: nil)
            try tunnel.openTunnel(to: origin, through: proxy, limits: limits)
            tunnel.closed = true
        }
        guard let ssl = context.openSSL.SSL_new(context.context) else {
            Glibc.close(fd)
            throw TransportFailure.other("cannot start TLS: \(TLSContext.lastError(context.openSSL))")
        }
        // From here on the connection owns fd and ssl: deinit frees them on every path.
        let connection = HTTPConnection(origin: origin, fd: fd, tls: ssl, openSSL: context.openSSL)
        try connection.handshake(limits: limits)
        return connection
    }

    /// Asks the proxy for a tunnel to `origin` (`CONNECT host:port`) and reads its answer.
    /// - Throws: ``TransportFailure/cannotConnect(_:)`` unless the proxy answers 2xx.
    private func openTunnel(to origin: HTTPOrigin, through proxy: HTTPProxy, limits: HTTPExchangeLimits) throws {
        let proxyName = "the proxy \(proxy.host) port \(proxy.port)"
        let authority = (origin.host.contains(":") ? "[\(origin.host)]" : origin.host) + ":\(origin.port)"
        var head = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n"
        if let authorization = proxy.authorization { head += "Proxy-Authorization: \(authorization)\r\n" }
        head += "\r\n"
        do {
            try write(Array(head.utf8), limits: limits)
        } catch let failure as ConnectionWriteFailure {
            throw TransportFailure.cannotConnect("\(proxyName): \(failure.detail)")
        }
        let closedEarly = TransportFailure.cannotConnect("\(proxyName) closed the connection instead of answering")
        guard let statusLine = try readLine(limit: 8192, limits: limits) else { throw closedEarly }
        let status = String(decoding: statusLine, as: UTF8.self)
        let parts = status.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
            throw TransportFailure.cannotConnect("\(proxyName) did not answer in HTTP: \"\(status.prefix(80))\"")
        }
        // The answer's header fields, up to the empty line.
        var ended = false
        for _ in 0..<100 {
            guard let line = try readLine(limit: 8192, limits: limits) else { throw closedEarly }
            if line.isEmpty {
                ended = true
                break
            }
        }
        guard ended else { throw TransportFailure.cannotConnect("\(proxyName) sent more than 100 header fields") }
        guard (200..<300).contains(code) else {
            let hint = code == 407 ? " (check the user name and password in the proxy address)" : ""
            throw TransportFailure.cannotConnect(
                "\(proxyName) refused a tunnel to \(authority): \(status.prefix(80))\(hint)")
        }
        guard bufferStart == buffer.count else {
            throw TransportFailure.cannotConnect("\(proxyName) sent data before the TLS handshake")
        }
    }

    private static func connectSocket(to origin: HTTPOrigin, limits: HTTPExchangeLimits) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(origin.host, String(origin.port), &hints, &list)
        guard status == 0, let list else {
            throw TransportFailure.cannotConnect(
                "cannot resolve \(origin.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastProblem = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        // Bounded by the resolver's list.
        while let address = entry {
            entry = address.pointee.ai_next
            let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
            let fd = socket(address.pointee.ai_family, type, 0)
            guard fd >= 0 else {
                lastProblem = String(cString: strerror(errno))
                continue
            }
            if connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastProblem = String(cString: strerror(errno))
                Glibc.close(fd)
                continue
            }
            do {
                try limits.wait(for: Int32(POLLOUT), on: fd, until: limits.connectDeadline)
            } catch {
                Glibc.close(fd)
                throw error
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            if socketError == 0 { return fd }
            lastProblem = String(cString: strerror(socketError))
            Glibc.close(fd)
        }
        throw TransportFailure.cannotConnect("\(origin.host) port \(origin.port): \(lastProblem)")
    }

    private func handshake(limits: HTTPExchangeLimits) throws {
        guard let tls, let openSSL else { return }
        _ = openSSL.SSL_set_fd(tls, fd)
        let host = origin.host
        if isIPAddress(host) {
            // No SNI for addresses (RFC 6066); the certificate must name the address itself.
            _ = openSSL.X509_VERIFY_PARAM_set1_ip_asc(openSSL.SSL_get0_param(tls), host)
        } else {
            _ = withUnsafePointer(to: openSSL) { copenssl_set_server_name($0, tls, host) }
            openSSL.SSL_set_hostflags(tls, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard openSSL.SSL_set1_host(tls, host) == 1 else {
                throw TransportFailure.other(
                    "cannot check the certificate for \(host): \(TLSContext.lastError(openSSL))")
            }
        }
        // Bounded: every pass either finishes, fails, or waits on the socket until the connect deadline.
        while true {
            openSSL.ERR_clear_error()
            let result = openSSL.SSL_connect(tls)
            if result == 1 { return }
            let reason = openSSL.SSL_get_error(tls, result)
            switch reason {
            case SSL_ERROR_WANT_READ: try limits.wait(for: Int32(POLLIN), on: fd, until: limits.connectDeadline)
            case SSL_ERROR_WANT_WRITE: try limits.wait(for: Int32(POLLOUT), on: fd, until: limits.connectDeadline)
            default:
                let verification = openSSL.SSL_get_verify_result(tls)
                if verification != X509_V_OK {
                    let text =
                        openSSL.X509_verify_cert_error_string(verification).map { String(cString: $0) }
                        ?? "\(verification)"
                    _ = TLSContext.lastError(openSSL)
                    throw TransportFailure.cannotConnect("the TLS certificate of \(host) is not trusted: \(text)")
                }
                throw TransportFailure.cannotConnect(
                    "TLS handshake with \(host) failed: \(TLSContext.lastError(openSSL))")
            }
        }
    }

    private func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Whether an idle connection can carry another request: nothing arrived while it was idle (neither data
    /// nor the server closing it) and it has not been idle longer than `maximumIdle`.
    func isReusable(now: MonotonicInstant, maximumIdle: Duration) -> Bool {
        guard !closed, bufferStart == buffer.count, now < idleSince.advanced(by: maximumIdle) else { return false }
        if let tls, let openSSL, openSSL.SSL_pending(tls) > 0 { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// Writes all of `bytes`.
    /// - Throws: ``ConnectionWriteFailure`` when the connection broke (saying whether anything was sent),
    ///   ``TransportFailure/timedOut``, `CancellationError`.
    func write(_ bytes: [UInt8], limits: HTTPExchangeLimits) throws {
        var offset = 0
        // Bounded: each pass sends at least one byte, fails, or waits until the deadline.
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw -> (Int, Int32) in
                let start = raw.baseAddress! + offset  // safe: offset < count, so the buffer is not empty
                let count = bytes.count - offset
                if let tls, let openSSL {
                    openSSL.ERR_clear_error()
                    let written = openSSL.SSL_write(tls, start, Int32(min(count, Int(Int32.max))))
                    return written > 0 ? (Int(written), 0) : (-1, openSSL.SSL_get_error(tls, written))
                }
                let sent = send(fd, start, count, Int32(MSG_NOSIGNAL))
                return sent >= 0 ? (sent, 0) : (-1, errno)
            }
            if result.0 > 0 {
                offset += result.0
                continue
            }
            if let openSSL {
                switch result.1 {
                case SSL_ERROR_WANT_READ: try limits.wait(for: Int32(POLLIN), on: fd, until: limits.deadline)
                case SSL_ERROR_WANT_WRITE: try limits.wait(for: Int32(POLLOUT), on: fd, until: limits.deadline)
                default:
                    throw ConnectionWriteFailure(
                        sentNothing: offset == 0, detail: "TLS: \(TLSContext.lastError(openSSL))")
                }
            } else if result.1 == EAGAIN || result.1 == EWOULDBLOCK {
                try limits.wait(for: Int32(POLLOUT), on: fd, until: limits.deadline)
            } else if result.1 != EINTR {
                throw ConnectionWriteFailure(sentNothing: offset == 0, detail: String(cString: strerror(result.1)))
            }
        }
    }

    /// Reads more bytes into the buffer; false when the server closed the connection.
    /// - Throws: ``TransportFailure/connectionLost(_:)``, ``TransportFailure/timedOut``, `CancellationError`.
    private func fill(limits: HTTPExchangeLimits) throws -> Bool {
        if bufferStart > 0, bufferStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
        }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        // Bounded: each pass reads, fails, or waits until the deadline.
        while true {
            let (count, reason) = chunk.withUnsafeMutableBytes { raw -> (Int, Int32) in
                if let tls, let openSSL {
                    openSSL.ERR_clear_error()
                    let read = openSSL.SSL_read(tls, raw.baseAddress, Int32(raw.count))
                    return read > 0 ? (Int(read), 0) : (Int(read), openSSL.SSL_get_error(tls, read))
                }
                let received = recv(fd, raw.baseAddress, raw.count, 0)
                return received >= 0 ? (received, 0) : (-1, errno)
            }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if let openSSL {
                switch reason {
                case SSL_ERROR_ZERO_RETURN: return false
                case SSL_ERROR_WANT_READ: try limits.wait(for: Int32(POLLIN), on: fd, until: limits.deadline)
                case SSL_ERROR_WANT_WRITE: try limits.wait(for: Int32(POLLOUT), on: fd, until: limits.deadline)
                case SSL_ERROR_SYSCALL where count == 0: return false
                default: throw TransportFailure.connectionLost("TLS: \(TLSContext.lastError(openSSL))")
                }
            } else if count == 0 {
                return false
            } else if reason == EAGAIN || reason == EWOULDBLOCK {
                try limits.wait(for: Int32(POLLIN), on: fd, until: limits.deadline)
            } else if reason != EINTR {
                throw TransportFailure.connectionLost(String(cString: strerror(reason)))
            }
        }
    }

    /// Reads one line ending in CRLF (or LF), without the line end.
    /// - Parameter limit: the longest line accepted, in bytes.
    /// - Returns: nil when the server closed the connection before a line end.
    func readLine(limit: Int, limits: HTTPExchangeLimits) throws -> [UInt8]? {
        // Bytes after bufferStart already searched; fill() may move the unread bytes to the front.
        var scanned = 0
        // Bounded: the buffer grows on every pass and the limit ends it.
        while true {
            if let end = buffer[(bufferStart + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[bufferStart..<end])
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                bufferStart = end + 1
                return line
            }
            scanned = buffer.count - bufferStart
            guard scanned <= limit else {
                throw TransportFailure.connectionLost("the response has a header line longer than \(limit) bytes")
            }
            guard try fill(limits: limits) else { return nil }
        }
    }

    /// Appends exactly `count` bytes to `body`.
    /// - Throws: ``TransportFailure/connectionLost(_:)`` when the server closed the connection first.
    func read(exactly count: Int, into body: inout [UInt8], limits: HTTPExchangeLimits) throws {
        var missing = count
        // Bounded: every pass consumes buffered bytes or reads more; end of stream throws.
        while missing > 0 {
            if bufferStart == buffer.count {
                guard try fill(limits: limits) else {
                    throw TransportFailure.connectionLost("the server closed the connection in the middle of the body")
                }
            }
            let take = min(missing, buffer.count - bufferStart)
            body.append(contentsOf: buffer[bufferStart..<(bufferStart + take)])
            bufferStart += take
            missing -= take
        }
    }

    /// Appends everything until the server closes the connection to `body`, at most `limit` bytes in all.
    /// - Returns: false when `body` would grow beyond `limit`.
    func readToEnd(into body: inout [UInt8], limit: Int, limits: HTTPExchangeLimits) throws -> Bool {
        // Bounded: the limit ends it.
        while true {
            body.append(contentsOf: buffer[bufferStart...])
            bufferStart = buffer.count
            if body.count > limit { return false }
            guard try fill(limits: limits) else { return true }
        }
    }

    /// Closes the connection (sending TLS's close alert when possible). Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        if let tls, let openSSL {
            openSSL.ERR_clear_error()
            _ = openSSL.SSL_shutdown(tls)
            openSSL.SSL_free(tls)
            openSSL.ERR_clear_error()
        }
        Glibc.close(fd)
    }
}
