import Foundation

/// The Pipedrive API client: typed calls over v1 and v2, authentication, rate limiting and token accounting.
///
/// - Every request first passes the ``RateLimiter``: it waits (with the injected `sleep`) for short pauses
///   and throws ``PipedriveError/rateLimited(retryAt:)`` or ``PipedriveError/dailyBudgetExhausted(resetsAt:)``
///   without sending anything when the wait is long.
/// - A 429 is retried after the pause Pipedrive asked for, a few times at most.
/// - With OAuth, a 401 triggers one refresh and one retry.
/// - Tokens spent per endpoint are counted in ``ledger``.
public actor PipedriveClient {
    /// Client settings.
    public struct Configuration: Sendable {
        /// The company's base URL, e.g. `https://acme.pipedrive.com` (or OAuth's `api_domain`); the client
        /// appends `/api/v1/…` and `/api/v2/…`.
        public var baseURL: URL
        /// Limits assumed until Pipedrive's headers say otherwise.
        public var rateLimits: RateLimiter.Configuration
        /// Longest pause the client waits by itself; longer ones throw ``PipedriveError/rateLimited(retryAt:)``.
        public var maximumInlineWait: Duration
        /// How often a request that got 429 is sent again before giving up with a retryable error.
        public var maximumRateLimitRetries: Int
        /// The `User-Agent` header.
        public var userAgent: String

        /// Creates settings with defaults that suit the agent.
        public init(
            baseURL: URL, rateLimits: RateLimiter.Configuration = .init(), maximumInlineWait: Duration = .seconds(30),
            maximumRateLimitRetries: Int = 3, userAgent: String = "ringlog"
        ) {
            self.baseURL = baseURL
            self.rateLimits = rateLimits
            self.maximumInlineWait = maximumInlineWait
            self.maximumRateLimitRetries = maximumRateLimitRetries
            self.userAgent = userAgent
        }
    }

    /// Tokens spent per endpoint, readable at any time.
    public nonisolated let ledger: TokenLedger
    /// The settings.
    public nonisolated let configuration: Configuration
    private let credentials: PipedriveCredentials
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private var limiter: RateLimiter

    /// Creates a client.
    /// - Parameters:
    ///   - transport: the network; ``SocketHTTPTransport`` in production.
    ///   - now: the wall clock (rate-limit resets and token expiry are wall-clock times).
    ///   - sleep: how the client waits; tests pass one that advances a fake clock.
    public init(
        configuration: Configuration, credentials: PipedriveCredentials, transport: any HTTPTransport,
        ledger: TokenLedger = TokenLedger(), now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.credentials = credentials
        self.transport = transport
        self.ledger = ledger
        self.now = now
        self.sleep = sleep
        limiter = RateLimiter(configuration: configuration.rateLimits)
    }

    /// Whether calls can go out: always ``AuthorizationState/ok`` with an API token.
    public var authorizationState: AuthorizationState {
        get async {
            switch credentials {
            case .apiToken: .ok
            case .oauth(let store): await store.state
            }
        }
    }

    /// What the client knows about Pipedrive's limits right now.
    public var rateLimitStatus: RateLimitStatus {
        let instant = now()
        return RateLimitStatus(
            burstLimit: limiter.burstLimit, dailyTokensRemaining: limiter.dailyTokensRemaining,
            dailyTokenLimit: limiter.dailyTokenLimit, dailyResetAt: limiter.dailyResetAt,
            isDailyBudgetExhausted: limiter.isDailyBudgetExhausted(at: instant),
            pausedUntil: limiter.pausedUntil.flatMap { $0 > instant ? $0 : nil })
    }

    /// Tokens spent per endpoint since the client started.
    public nonisolated var tokensSpent: [PipedriveEndpoint: TokenLedger.Usage] { ledger.byEndpoint }

    /// Re-reads the OAuth tokens file (after `ringlog auth`); a no-op with an API token.
    /// - Returns: whether usable credentials are loaded.
    @discardableResult
    public func reloadTokens() async -> Bool {
        guard case .oauth(let store) = credentials else { return true }
        return await store.reloadTokens()
    }

    /// Keeps the OAuth refresh token alive while the agent runs: checks every `interval` and refreshes when
    /// no refresh happened for the store's keep-alive interval. Returns when the task is cancelled.
    public func runKeepAlive(checkingEvery interval: Duration = .seconds(3600)) async {
        guard case .oauth(let store) = credentials else { return }
        while !Task.isCancelled {
            // Failures are visible in the store's state; the next check tries again.
            _ = try? await store.keepAliveIfDue()
            do { try await sleep(interval) } catch { return }
        }
    }

    // MARK: - Sending

    /// A request body.
    enum Body {
        case json(Data)
        case multipart(Data, boundary: String)
    }

    /// Sends one request through rate limiting, authentication and error mapping.
    /// - Returns: the body of a 2xx response.
    func perform(
        _ endpoint: PipedriveEndpoint, id: String? = nil, query: [URLQueryItem] = [], body: Body? = nil
    ) async throws -> Data {
        var rejectedToken: String?
        var rateLimitRetries = 0
        while true {
            try Task.checkCancellation()
            try await waitForSlot(endpoint)
            let (headerName, headerValue, secret) = try await authorization(replacing: rejectedToken)
            let request = try makeRequest(endpoint, id: id, query: query, body: body, auth: (headerName, headerValue))
            limiter.recordSend(to: endpoint, at: now())
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let failure as TransportFailure {
                throw PipedriveError.transport(failure)
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as PipedriveError {
                throw error
            } catch {
                throw PipedriveError.transport(.other(String(describing: type(of: error))))
            }
            let status = response.status
            let data = response.body
            limiter.recordResponse(status: status, headers: response.headers, for: endpoint, at: now())
            if TokenLedger.isCharged(status: status) { ledger.record(endpoint) }
            if (200..<300).contains(status) { return data }
            if status == 429 {
                rateLimitRetries += 1
                if rateLimitRetries <= configuration.maximumRateLimitRetries { continue }
                if limiter.isDailyBudgetExhausted(at: now()), let reset = limiter.dailyResetAt {
                    throw PipedriveError.dailyBudgetExhausted(resetsAt: reset)
                }
                throw PipedriveError.rateLimited(retryAt: limiter.pausedUntil ?? now())
            }
            if status == 401, case .oauth(let store) = credentials {
                if rejectedToken == nil {
                    rejectedToken = secret
                    continue
                }
                let reason = "Pipedrive rejected a freshly refreshed access token"
                await store.markNeedsReauthorization(reason: reason)
                throw PipedriveError.needsReauthorization(reason: reason)
            }
            throw Self.error(status: status, body: data, redacting: [secret])
        }
    }

    /// Sends a request and decodes `data` from the envelope.
    func fetch<Payload: Decodable>(
        _ type: Payload.Type, from endpoint: PipedriveEndpoint, id: String? = nil, query: [URLQueryItem] = [],
        body: Body? = nil
    ) async throws -> (Payload, AdditionalData?) {
        let data = try await perform(endpoint, id: id, query: query, body: body)
        let envelope: Envelope<Payload>
        do {
            envelope = try JSONDecoder().decode(Envelope<Payload>.self, from: data)
        } catch {
            throw PipedriveError.unexpectedResponse(
                status: 200,
                detail: "the \(endpoint) response does not have the expected shape (\(Self.describe(error)))")
        }
        guard envelope.success != false, let payload = envelope.data else {
            throw PipedriveError.unexpectedResponse(status: 200, detail: "the \(endpoint) response has no data")
        }
        return (payload, envelope.additionalData)
    }

    /// Encodes a JSON body.
    func json(_ value: some Encodable) throws -> Body {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return .json(try encoder.encode(value))
    }

    private func waitForSlot(_ endpoint: PipedriveEndpoint) async throws {
        // Bounded: every wait ends in a send, a throw, or another wait after time has moved on.
        for _ in 0..<1000 {
            let instant = now()
            switch limiter.decide(for: endpoint, at: instant) {
            case .send:
                return
            case .dailyBudgetExhausted(let reset):
                throw PipedriveError.dailyBudgetExhausted(resetsAt: reset)
            case .wait(let duration):
                if duration > configuration.maximumInlineWait {
                    throw PipedriveError.rateLimited(retryAt: instant.addingTimeInterval(duration.seconds))
                }
                try await sleep(duration)
            }
        }
        throw PipedriveError.rateLimited(retryAt: now().addingTimeInterval(configuration.rateLimits.window.seconds))
    }

    /// The header name, its value, and the bare secret (for redaction and 401 handling).
    private func authorization(replacing rejected: String?) async throws -> (String, String, String) {
        switch credentials {
        case .apiToken(let token):
            return ("x-api-token", token, token)
        case .oauth(let store):
            let token: String
            if let rejected {
                token = try await store.accessToken(replacing: rejected)
            } else {
                token = try await store.accessToken()
            }
            return ("Authorization", "Bearer \(token)", token)
        }
    }

    private func makeRequest(
        _ endpoint: PipedriveEndpoint, id: String?, query: [URLQueryItem], body: Body?, auth: (String, String)
    ) throws -> HTTPRequest {
        var path = endpoint.pathTemplate
        if let id {
            path = path.replacing("{id}", with: FormEncoding.escape(id))
        }
        var base = configuration.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard var components = URLComponents(string: "\(base)/api/\(endpoint.version)\(path)") else {
            throw PipedriveError.invalidRequest(status: 0, message: "the base URL \(base) is not usable")
        }
        if !query.isEmpty {
            components.percentEncodedQuery = query.map {
                "\(FormEncoding.escape($0.name))=\(FormEncoding.escape($0.value ?? ""))"
            }.joined(separator: "&")
        }
        guard let url = components.url else {
            throw PipedriveError.invalidRequest(status: 0, message: "cannot build the URL for \(endpoint)")
        }
        var request = HTTPRequest(method: endpoint.method, url: url)
        request.setHeader("Accept", "application/json")
        request.setHeader("User-Agent", configuration.userAgent)
        request.setHeader(auth.0, auth.1)
        switch body {
        case .json(let data):
            request.setHeader("Content-Type", "application/json")
            request.body = data
        case .multipart(let data, let boundary):
            request.setHeader("Content-Type", "multipart/form-data; boundary=\(boundary)")
            request.body = data
        case nil:
            break
        }
        return request
    }

    /// Maps a non-2xx status and its body to a typed error whose message holds no secret.
    static func error(status: Int, body: Data, redacting secrets: [String]) -> PipedriveError {
        let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: body)
        var message = envelope?.error ?? envelope?.message ?? ""
        if message.isEmpty {
            let text = String(decoding: body.prefix(160), as: UTF8.self)
            message = text.contains("<" as Character) ? "a non-JSON (HTML) page" : (text.isEmpty ? "no details" : text)
        }
        message = Redaction.redact(message, secrets: secrets)
        switch status {
        case 400, 405, 415, 422: return .invalidRequest(status: status, message: message)
        case 401: return .unauthorized(message: message)
        case 402: return .paymentRequired(message: message)
        case 403: return .forbidden(message: message, code: envelope?.code)
        case 404: return .notFound(message: message)
        case 408: return .transport(.timedOut)
        case 409: return .conflict(message: message)
        case 410: return .gone(message: message)
        case 500...599: return .serverError(status: status, message: message)
        default: return .unexpectedResponse(status: status, detail: message)
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "not JSON" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default:
            return "undecodable"
        }
    }
}
