import Foundation
import Synchronization
import Testing

import class RinglogCore.Locked

@testable import RinglogPipedrive

#if canImport(Glibc)
    import Glibc
#endif

@Suite("OAuth life cycle with a fake transport and clock")
struct OAuthTests {
    static let credentials = OAuthClientCredentials(
        clientID: "ringlog-test-client", clientSecret: "ringlog-test-secret", redirectURI: "http://127.0.0.1/callback",
        authorizeURL: URL(string: "https://acme.test/oauth/authorize")!,
        tokenURL: URL(string: "https://acme.test/oauth/token")!)

    @Test("the code exchange is form-encoded with Basic client auth and turns expires_in into an expiry")
    func codeExchange() async throws {
        let transport = FakeTransport(responses: [Fixtures.tokenResponse(access: "acc-1xxxx", refresh: "ref-1xxxx")])
        let clock = TestClock()
        let oauth = OAuthClient(credentials: Self.credentials, transport: transport, now: clock.nowFunction)
        let tokens = try await oauth.exchange(code: "code/+ 1")
        #expect(tokens.accessToken == "acc-1xxxx")
        #expect(tokens.refreshToken == "ref-1xxxx")
        #expect(tokens.expiresAt == clock.now.addingTimeInterval(3599))
        #expect(tokens.apiDomain == Fixtures.baseURL)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(
            request.header("Authorization") == "Basic "
                + Data("ringlog-test-client:ringlog-test-secret".utf8).base64EncodedString())
        #expect(
            request.formBody == [
                "grant_type": "authorization_code", "code": "code/+ 1", "redirect_uri": "http://127.0.0.1/callback",
            ])
        #expect(String(decoding: request.body, as: UTF8.self).contains("code=code%2F%2B%201"))
    }

    @Test("a refused code and a refused refresh token are told apart, without secrets")
    func refusals() async throws {
        let transport = FakeTransport(responses: [
            FakeResponse(
                400,
                json: #"{"error":"invalid_grant","error_description":"Invalid grant: authorization_code is invalid"}"#)
        ])
        let oauth = OAuthClient(credentials: Self.credentials, transport: transport)
        await #expect(
            throws: PipedriveError.oauthRefused(message: "invalid_grant: Invalid grant: authorization_code is invalid")
        ) {
            try await oauth.exchange(code: "c")
        }
        transport.setHandler { _ in
            FakeResponse(
                400, json: #"{"error":"invalid_grant","error_description":"refresh_token ref-secret-1 is invalid"}"#)
        }
        do {
            _ = try await oauth.refresh(refreshToken: "ref-secret-1")
            Issue.record("expected a failure")
        } catch let error as PipedriveError {
            #expect(error == .needsReauthorization(reason: "invalid_grant: refresh_token [redacted] is invalid"))
            #expect(error.isRetryable)
        }
        transport.setHandler { _ in FakeResponse(json: "<html>maintenance</html>") }
        do {
            _ = try await oauth.refresh(refreshToken: "ref-secret-1")
            Issue.record("expected a failure")
        } catch let error as PipedriveError {
            #expect(error.isRetryable)
        }
        transport.setHandler { _ in FakeResponse(503, json: "down") }
        await #expect(throws: PipedriveError.serverError(status: 503, message: "down")) {
            try await oauth.refresh(refreshToken: "ref-secret-1")
        }
    }

    @Test("the tokens file is written atomically with mode 0600 and read back")
    func tokenFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let file = TokenFile(stateDirectory: directory.path)
        #expect(try file.load() == nil)
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let first = Fixtures.tokens(expiresAt: now.addingTimeInterval(3600), refreshedAt: now)
        try file.save(first)
        var info = stat()
        #expect(stat(file.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try file.load() == first)
        let second = Fixtures.tokens(
            access: "access-2-abcdef", expiresAt: now.addingTimeInterval(7200), refreshedAt: now)
        try file.save(second)
        #expect(try file.load() == second)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["oauth-tokens.json"])
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("{".utf8)))
        #expect(throws: TokenFile.Failure.self) { try file.load() }
    }

    /// A store over a fresh file holding tokens that expire in `expiresIn` seconds, with a fake refresher.
    func makeStore(
        directory: TemporaryDirectory, clock: TestClock, expiresIn: Double = 3600, refreshedAgo: Double = 0,
        refresh: @escaping @Sendable (String) async throws -> OAuthTokens
    ) throws -> TokenStore {
        let file = TokenFile(stateDirectory: directory.path)
        try file.save(
            Fixtures.tokens(
                expiresAt: clock.now.addingTimeInterval(expiresIn),
                refreshedAt: clock.now.addingTimeInterval(-refreshedAgo)))
        return TokenStore(file: file, now: clock.nowFunction, refresh: refresh)
    }

    @Test("the access token is refreshed ahead of expiry, once for concurrent callers, and persisted")
    func refreshAhead() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let calls = Locked(0)
        let store = try makeStore(directory: directory, clock: clock) { refreshToken in
            let count = calls.withLock { value in
                value += 1
                return value
            }
            #expect(refreshToken == "refresh-1-abcdef")
            try await Task.sleep(for: .milliseconds(20))  // keep the refresh in flight while others arrive
            return Fixtures.tokens(
                access: "access-\(count + 1)-abcdef", expiresAt: clock.now.addingTimeInterval(3600),
                refreshedAt: clock.now)
        }
        #expect(try await store.accessToken() == "access-1-abcdef")
        clock.advance(by: 3600 - 299)  // inside the 5-minute margin
        async let first = store.accessToken()
        async let second = store.accessToken()
        async let third = store.accessToken()
        let tokens = try await [first, second, third]
        #expect(tokens == ["access-2-abcdef", "access-2-abcdef", "access-2-abcdef"])
        #expect(calls.withLock { $0 } == 1)
        #expect(try TokenFile(stateDirectory: directory.path).load()?.accessToken == "access-2-abcdef")
        #expect(await store.state == .ok)
    }

    @Test("a transient refresh failure keeps using the still-valid token")
    func transientRefreshFailure() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let store = try makeStore(directory: directory, clock: clock, expiresIn: 100) { _ in
            throw PipedriveError.transport(.timedOut)
        }
        #expect(try await store.accessToken() == "access-1-abcdef")
        clock.advance(by: 100)
        await #expect(throws: PipedriveError.transport(.timedOut)) { try await store.accessToken() }
        #expect(await store.state == .ok)
    }

    @Test("keep-alive refreshes after 28 idle days, so the 60-day expiry never hits")
    func keepAlive() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let calls = Locked(0)
        let store = try makeStore(directory: directory, clock: clock) { _ in
            calls.withLock { $0 += 1 }
            return Fixtures.tokens(
                access: "access-2-abcdef", expiresAt: clock.now.addingTimeInterval(3600), refreshedAt: clock.now)
        }
        #expect(try await store.keepAliveIfDue() == false)
        clock.advance(by: 27 * 86_400)
        #expect(try await store.keepAliveIfDue() == false)
        clock.advance(by: 86_400)
        #expect(try await store.keepAliveIfDue() == true)
        #expect(calls.withLock { $0 } == 1)
        #expect(await store.nextKeepAlive == clock.now.addingTimeInterval(28 * 86_400))
    }

    @Test("the client's keep-alive loop refreshes while idle and stops on cancellation")
    func keepAliveLoop() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let calls = Locked(0)
        let store = try makeStore(directory: directory, clock: clock) { _ in
            calls.withLock { $0 += 1 }
            return Fixtures.tokens(expiresAt: clock.now.addingTimeInterval(3600), refreshedAt: clock.now)
        }
        let sleeps = Locked(0)
        let client = PipedriveClient(
            configuration: .init(baseURL: Fixtures.baseURL), credentials: .oauth(store),
            transport: FakeTransport(responses: [FakeResponse()]), now: clock.nowFunction,
            sleep: { duration in
                // 60 days of daily checks, then stop the loop.
                let count = sleeps.withLock { value in
                    value += 1
                    return value
                }
                if count > 60 { throw CancellationError() }
                clock.advance(by: duration.seconds)
            })
        await client.runKeepAlive(checkingEvery: .seconds(86_400))
        #expect(calls.withLock { $0 } == 2)  // day 28 and day 56
    }

    @Test("invalid_grant: visible state, nothing sent, retryable errors; a new tokens file resumes traffic")
    func reauthorization() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let store = try makeStore(directory: directory, clock: clock, expiresIn: 60) { _ in
            throw PipedriveError.needsReauthorization(reason: "invalid_grant: Invalid grant: refresh_token is invalid")
        }
        let transport = FakeTransport(responses: [FakeResponse(json: #"{"success":true,"data":{"id":1,"name":"A"}}"#)])
        let client = Fixtures.client(transport, clock: clock, credentials: .oauth(store))
        for _ in 0..<3 {
            do {
                _ = try await client.currentUser()
                Issue.record("expected a failure")
            } catch let error as PipedriveError {
                guard case .needsReauthorization = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(error.isRetryable)
            }
        }
        #expect(transport.requests.isEmpty)
        guard case .needsReauthorization = await client.authorizationState else {
            Issue.record("state should say re-authorisation is needed")
            return
        }
        // `ringlog auth` writes a new file from another process.
        try TokenFile(stateDirectory: directory.path).save(
            Fixtures.tokens(
                access: "access-new-abcdef", refresh: "refresh-new-abcdef",
                expiresAt: clock.now.addingTimeInterval(3600),
                refreshedAt: clock.now))
        _ = try await client.currentUser()
        #expect(await client.authorizationState == .ok)
        #expect(transport.requests.first?.header("Authorization") == "Bearer access-new-abcdef")
    }

    @Test("a 401 with OAuth refreshes once and retries with the new token")
    func retryAfter401() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = TestClock()
        let store = try makeStore(directory: directory, clock: clock) { _ in
            Fixtures.tokens(
                access: "access-2-abcdef", expiresAt: clock.now.addingTimeInterval(3600), refreshedAt: clock.now)
        }
        let transport = FakeTransport { request in
            request.header("Authorization") == "Bearer access-2-abcdef"
                ? FakeResponse(json: #"{"success":true,"data":{"id":1,"name":"A"}}"#)
                : FakeResponse(401, json: #"{"success":false,"error":"Invalid token: access_token is invalid"}"#)
        }
        let client = Fixtures.client(transport, clock: clock, credentials: .oauth(store))
        #expect(try await client.currentUser().name == "A")
        #expect(
            transport.requests.map { $0.header("Authorization") } == [
                "Bearer access-1-abcdef", "Bearer access-2-abcdef",
            ])
        #expect(transport.requests.allSatisfy { $0.header("x-api-token") == nil })
    }

    @Test("the authorize URL carries client_id, redirect_uri and state")
    func authorizeURL() throws {
        let url = Self.credentials.authorizationURL(state: "abc123")
        let items = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems)
        #expect(url.absoluteString.hasPrefix("https://acme.test/oauth/authorize?"))
        #expect(items.contains(URLQueryItem(name: "client_id", value: "ringlog-test-client")))
        #expect(items.contains(URLQueryItem(name: "redirect_uri", value: "http://127.0.0.1/callback")))
        #expect(items.contains(URLQueryItem(name: "state", value: "abc123")))
    }
}
