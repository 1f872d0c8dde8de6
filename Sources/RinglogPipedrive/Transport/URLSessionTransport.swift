import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// ``HTTPTransport`` over one shared `URLSession` (FoundationNetworking, libcurl on Linux).
///
/// One session serves the whole process: creating a session per request leaks threads on Linux.
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession

    /// The process-wide transport with the default timeout: use it unless a different timeout is needed,
    /// so that the process keeps one session (sessions created per use leak threads on Linux).
    public static let shared = URLSessionTransport()

    /// Creates the transport with its own ephemeral session (no cookies, no cache).
    /// - Parameter timeout: how long one request may take before it fails as ``TransportFailure/timedOut``.
    public init(timeout: Duration = .seconds(30)) {
        let configuration = URLSessionConfiguration.ephemeral
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds * 2
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
    }

    /// Sends the request; see ``HTTPTransport/send(_:)``.
    public func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                throw TransportFailure.other("the response was not HTTP")
            }
            return (data, http)
        } catch let error as URLError {
            throw Self.map(error)
        }
    }

    /// Maps URLSession's errors to the cases the client tells apart.
    static func map(_ error: URLError) -> any Error {
        switch error.code {
        // Linux reports task cancellation as URLError(.cancelled), not CancellationError.
        case .cancelled: CancellationError()
        case .timedOut: TransportFailure.timedOut
        case .cannotFindHost, .cannotConnectToHost, .dnsLookupFailed, .notConnectedToInternet:
            TransportFailure.cannotConnect("code \(error.code.rawValue)")
        case .networkConnectionLost, .badServerResponse, .zeroByteResource, .cannotParseResponse:
            TransportFailure.connectionLost("code \(error.code.rawValue)")
        default: TransportFailure.other("code \(error.code.rawValue)")
        }
    }
}
