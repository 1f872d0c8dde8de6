import Foundation

/// The seam between the Pipedrive client and the network: one request in, one response out.
///
/// Production uses ``SocketHTTPTransport``; tests use an in-process fake. A transport returns every HTTP
/// status as a response (it never throws for 4xx/5xx) and throws only when no response arrived.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the HTTP response with its whole body.
    /// - Throws: `CancellationError` when the calling task was cancelled, ``TransportFailure`` when the
    ///   server could not be reached or the connection broke.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Why no HTTP response arrived. Every case is worth retrying later.
public enum TransportFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request timed out.
    case timedOut
    /// The host name could not be resolved or the server refused the connection.
    case cannotConnect(String)
    /// The connection broke while the request was in flight.
    case connectionLost(String)
    /// Any other network failure.
    case other(String)

    /// A sentence for the log: what happened, without the request's headers.
    public var description: String {
        switch self {
        case .timedOut: "the request timed out"
        case .cannotConnect(let detail): "cannot connect (\(detail))"
        case .connectionLost(let detail): "the connection broke (\(detail))"
        case .other(let detail): "network failure (\(detail))"
        }
    }
}
