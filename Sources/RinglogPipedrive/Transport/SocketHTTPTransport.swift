import Dispatch
import Foundation
import Synchronization

import class RinglogCore.Locked

/// ``HTTPTransport`` over POSIX sockets: HTTP/1.1 with keep-alive, TLS through the system's OpenSSL.
///
/// `https` always verifies the server's certificate chain against the system's certificate store (or
/// ``Configuration/trustedCertificatesFile``) and the host name (SNI and `SSL_set1_host`); TLS 1.2 is the
/// minimum. OpenSSL is set up on the first `https` request. Plain `http` is for local servers.
///
/// Socket and TLS calls block, so every exchange runs on a Dispatch queue, never on Swift's cooperative
/// pool; the waiting task's cancellation is noticed within 100 ms. A request is sent again only when it
/// certainly never left: when a reused keep-alive connection turns out closed before the first byte was
/// written. Every other break after the request started surfaces as ``TransportFailure/connectionLost(_:)``.
public final class SocketHTTPTransport: HTTPTransport {
    /// The transport's limits and trust.
    public struct Configuration: Sendable {
        /// How long connecting (TCP and TLS handshake) may take before ``TransportFailure/timedOut``.
        public var connectTimeout: Duration
        /// How long one request may take in all before ``TransportFailure/timedOut``.
        public var requestTimeout: Duration
        /// The largest response body accepted; a bigger one fails as ``TransportFailure/other(_:)``.
        public var maximumResponseBytes: Int
        /// Idle keep-alive connections kept per server.
        public var maximumIdleConnections: Int
        /// How long an idle connection is kept for reuse.
        public var idleTimeout: Duration
        /// A PEM file of certificate authorities to trust instead of the system store; nil for the system store.
        public var trustedCertificatesFile: String?
        /// The HTTP proxies requests go through; by default those the environment names (`https_proxy`,
        /// `http_proxy`, `no_proxy`).
        public var proxies: HTTPProxySettings

        /// Creates a configuration; the defaults suit Pipedrive.
        public init(
            connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(30),
            maximumResponseBytes: Int = 32 << 20, maximumIdleConnections: Int = 4, idleTimeout: Duration = .seconds(20),
            trustedCertificatesFile: String? = nil, proxies: HTTPProxySettings = .environment()
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maximumResponseBytes = maximumResponseBytes
            self.maximumIdleConnections = maximumIdleConnections
            self.idleTimeout = idleTimeout
            self.trustedCertificatesFile = trustedCertificatesFile
            self.proxies = proxies
        }
    }

    /// The process-wide transport with the default configuration: one connection pool for the process.
    public static let shared = SocketHTTPTransport()

    private let configuration: Configuration
    private let pool: HTTPConnectionPool
    private let tls: Locked<TLSContext?>
    private static let queue = DispatchQueue(label: "ringlog.http", attributes: .concurrent)

    /// Creates a transport with its own connection pool.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        pool = HTTPConnectionPool(
            maximumIdlePerOrigin: max(0, configuration.maximumIdleConnections), maximumIdle: configuration.idleTimeout)
        tls = Locked(nil)
    }

    /// Creates a transport whose requests time out after `timeout` in all (connecting at most that long too).
    public convenience init(timeout: Duration) {
        self.init(Configuration(connectTimeout: min(timeout, .seconds(10)), requestTimeout: timeout))
    }

    /// Sends the request; see ``HTTPTransport/send(_:)``.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                Self.queue.async {
                    continuation.resume(with: Result { try self.exchange(request, cancellation: cancellation) })
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// The whole exchange, blocking: connection, request, response.
    private func exchange(_ request: HTTPRequest, cancellation: CancellationFlag) throws -> HTTPResponse {
        let start = MonotonicInstant.now
        let deadline = start.advanced(by: configuration.requestTimeout)
        let limits = HTTPExchangeLimits(
            connectDeadline: min(deadline, start.advanced(by: configuration.connectTimeout)), deadline: deadline,
            cancellation: cancellation)
        let origin = try Self.origin(of: request.url)
        let proxy = try configuration.proxies.proxy(for: origin)
        let head = Self.head(of: request, origin: origin, proxy: proxy)
        let reader = HTTPResponseReader(maximumBodyBytes: configuration.maximumResponseBytes)
        // At most two passes: a second only when a reused connection was found closed before anything was sent.
        for _ in 0..<2 {
            let reused = pool.checkOut(origin)
            let connection =
                try reused ?? HTTPConnection.open(to: origin, via: proxy, tls: tlsContext(for: origin), limits: limits)
            do {
                try connection.write(head + request.body, limits: limits)
            } catch let failure as ConnectionWriteFailure {
                connection.close()
                if failure.sentNothing, reused != nil { continue }
                throw failure.sentNothing
                    ? TransportFailure.cannotConnect(failure.detail) : TransportFailure.connectionLost(failure.detail)
            } catch {
                connection.close()
                throw error
            }
            do {
                let outcome = try reader.read(from: connection, method: request.method, limits: limits)
                if outcome.reusable { pool.checkIn(connection) } else { connection.close() }
                return outcome.response
            } catch {
                connection.close()
                throw error
            }
        }
        throw TransportFailure.connectionLost("the server closed two connections in a row")
    }

    private func tlsContext(for origin: HTTPOrigin) throws -> TLSContext? {
        guard origin.secure else { return nil }
        return try tls.withLock { context in
            if let context { return context }
            let created = try TLSContext(trustedCertificatesFile: configuration.trustedCertificatesFile)
            context = created
            return created
        }
    }

    /// Scheme, host and port of an absolute `http` or `https` URL.
    static func origin(of url: URL) throws -> HTTPOrigin {
        let scheme = url.scheme?.lowercased()
        guard scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
            throw TransportFailure.other("only absolute http and https URLs can be requested")
        }
        let secure = scheme == "https"
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return HTTPOrigin(secure: secure, host: bare, port: url.port ?? (secure ? 443 : 80))
    }

    /// The request line and header fields, ending in the empty line. A plain `http` request through `proxy`
    /// names its whole URL (absolute form) and carries the proxy's credentials; an `https` one goes through a
    /// tunnel, where the proxy sees nothing of it.
    static func head(of request: HTTPRequest, origin: HTTPOrigin, proxy: HTTPProxy? = nil) -> [UInt8] {
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        var target = components?.percentEncodedPath ?? "/"
        if target.isEmpty { target = "/" }
        if let query = components?.percentEncodedQuery { target += "?" + query }
        let viaProxy = proxy != nil && !origin.secure
        if viaProxy { target = "http://\(origin.hostHeader)" + target }
        var text = "\(request.method) \(target) HTTP/1.1\r\nHost: \(origin.hostHeader)\r\n"
        if viaProxy, let authorization = proxy?.authorization { text += "Proxy-Authorization: \(authorization)\r\n" }
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            let lowered = name.lowercased()
            if ["host", "content-length", "connection", "proxy-authorization"].contains(lowered) { continue }
            // Header values come from ringlog itself; a line break would split the request.
            // ("\r\n" is one Character, so filter scalars.)
            let clean = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
            text += "\(name): \(clean)\r\n"
        }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            text += "Content-Length: \(request.body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}
