import Foundation
import Synchronization

import class RinglogCore.Locked

@testable import RinglogPipedrive

/// A canned HTTP answer.
struct FakeResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    init(_ status: Int = 200, headers: [String: String] = [:], json: String = #"{"success":true,"data":{}}"#) {
        self.status = status
        self.headers = headers
        self.body = Data(json.utf8)
    }
}

/// What the fake transport saw of one request.
struct RecordedRequest: Sendable {
    var method: String
    var url: URL
    var headers: [String: String]
    var body: Data

    var path: String { url.path }
    var query: [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? [] {
            result[item.name] = item.value ?? ""
        }
        return result
    }
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
    var jsonBody: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var formBody: [String: String] {
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self)
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }
}

/// An in-process ``HTTPTransport``: answers from a handler, records every request. No sockets.
final class FakeTransport: HTTPTransport {
    typealias Handler = @Sendable (RecordedRequest) throws -> FakeResponse
    private let state: Locked<(handler: Handler, requests: [RecordedRequest])>

    init(_ handler: @escaping Handler) { state = Locked((handler, [])) }

    /// Answers requests in order from `responses` (the last one repeats).
    convenience init(responses: [FakeResponse]) {
        let queue = Locked(responses)
        self.init { _ in
            queue.withLock { list in list.count > 1 ? list.removeFirst() : list[0] }
        }
    }

    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    func setHandler(_ handler: @escaping Handler) { state.withLock { $0.handler = handler } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let recorded = RecordedRequest(
            method: request.method, url: request.url, headers: request.headers, body: request.body)
        let handler = state.withLock { state in
            state.requests.append(recorded)
            return state.handler
        }
        let response = try handler(recorded)
        return HTTPResponse(status: response.status, headers: response.headers, body: response.body)
    }
}

/// A wall clock that only moves when told to; its `sleep` records the wait and moves the clock.
final class TestClock: Sendable {
    private let state: Locked<(now: Date, sleeps: [Duration])>

    init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {  // 2026-01-01T00:00:00Z
        state = Locked((start, []))
    }

    var now: Date { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func advance(by seconds: Double) { state.withLock { $0.now = $0.now.addingTimeInterval(seconds) } }
    func set(_ date: Date) { state.withLock { $0.now = date } }

    var nowFunction: @Sendable () -> Date { { self.now } }
    var sleepFunction: @Sendable (Duration) async throws -> Void {
        { duration in
            try Task.checkCancellation()
            self.state.withLock { state in
                state.sleeps.append(duration)
                state.now = state.now.addingTimeInterval(duration.seconds)
            }
        }
    }
}

/// A fresh temporary directory, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ringlog-pd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

enum Fixtures {
    static let baseURL = URL(string: "https://acme.pipedrive.com")!
    static let apiToken = "secret-api-token-0123456789"

    static func client(
        _ transport: FakeTransport, clock: TestClock = TestClock(),
        credentials: PipedriveCredentials = .apiToken(apiToken),
        rateLimits: RateLimiter.Configuration = .init()
    ) -> PipedriveClient {
        PipedriveClient(
            configuration: .init(baseURL: baseURL, rateLimits: rateLimits), credentials: credentials,
            transport: transport, now: clock.nowFunction, sleep: clock.sleepFunction)
    }

    static func tokens(
        access: String = "access-1-abcdef", refresh: String = "refresh-1-abcdef", expiresAt: Date,
        refreshedAt: Date
    ) -> OAuthTokens {
        OAuthTokens(
            accessToken: access, refreshToken: refresh, expiresAt: expiresAt, refreshedAt: refreshedAt,
            apiDomain: baseURL, scope: "base,phone-integration")
    }

    static func tokenResponse(access: String, refresh: String, expiresIn: Int = 3599) -> FakeResponse {
        FakeResponse(
            json: """
                {"access_token":"\(access)","token_type":"Bearer","refresh_token":"\(refresh)",
                 "scope":"base,phone-integration","expires_in":\(expiresIn),"api_domain":"https://acme.pipedrive.com"}
                """)
    }
}
