import Foundation
import RinglogTestSupport
import Testing

@testable import RinglogPipedrive

@Suite("Client against the Pipedrive simulator: OAuth life cycle", .enabled(if: PipedriveSimulator.isAvailable))
struct SimulatorOAuthTests {
    /// Authorises like `ringlog auth --code`, then builds a client over the stored tokens.
    static func authorise(
        _ simulator: PipedriveSimulator, directory: TemporaryDirectory, clock: TestClock
    ) async throws -> (PipedriveClient, TokenStore, PipedriveAuthSettings) {
        let settings = PipedriveAuthSettings(
            stateDirectory: directory.path + "/state", baseURL: nil, oauth: simulator.oauthCredentials)
        let code = try await simulator.authorizationCode()
        let (tokens, user) = try await PipedriveAuthorization.complete(
            code: code, settings: settings, transport: SocketHTTPTransport.shared, now: clock.nowFunction)
        #expect(user.id == 1)
        #expect(tokens.apiDomain == simulator.baseURL)
        let oauth = OAuthClient(
            credentials: simulator.oauthCredentials, transport: SocketHTTPTransport.shared, now: clock.nowFunction)
        let store = TokenStore(file: settings.tokenFile, now: clock.nowFunction) { refreshToken in
            try await oauth.refresh(refreshToken: refreshToken)
        }
        let client = PipedriveClient(
            configuration: .init(baseURL: try #require(tokens.apiDomain)), credentials: .oauth(store),
            transport: SocketHTTPTransport.shared, now: clock.nowFunction, sleep: clock.sleepFunction)
        return (client, store, settings)
    }

    static func oauthGrants(_ simulator: PipedriveSimulator) async throws -> [String] {
        try await simulator.requests().filter { ($0["path"] as? String)?.hasPrefix("/oauth/token") == true }
            .compactMap { ($0["body"] as? [String: Any])?["grant_type"] as? String }
    }

    @Test("code exchange, API calls with Bearer tokens, and every endpoint through OAuth without spec violations")
    func authoriseAndCall() async throws {
        try await PipedriveSimulator.with { simulator in
            let directory = try TemporaryDirectory()
            defer { directory.cleanUp() }
            let (client, _, _) = try await Self.authorise(simulator, directory: directory, clock: TestClock(Date()))
            try await SimulatorEndpointTests.exerciseEveryEndpoint(client)
            let requests = try await simulator.requests()
            for request in requests where (request["path"] as? String)?.hasPrefix("/_sim") != true {
                let violations = request["violations"] as? [Any] ?? []
                #expect(violations.isEmpty, "\(request["method"] ?? "") \(request["path"] ?? ""): \(violations)")
            }
            #expect(
                requests.filter { ($0["path"] as? String)?.hasPrefix("/api/") == true }.allSatisfy {
                    $0["auth"] as? String == "oauth"
                })
        }
    }

    @Test("the access token is refreshed ahead of expiry, and a 401 on an expired token refreshes and retries")
    func refresh() async throws {
        try await PipedriveSimulator.with { simulator in
            let directory = try TemporaryDirectory()
            defer { directory.cleanUp() }
            let clock = TestClock(Date())
            let (client, store, _) = try await Self.authorise(simulator, directory: directory, clock: clock)
            let before = try #require(await store.currentTokens)
            clock.advance(by: 3599 - 200)  // inside the refresh margin
            _ = try await client.currentUser()
            #expect(try await Self.oauthGrants(simulator) == ["authorization_code", "refresh_token"])
            let after = try #require(await store.currentTokens)
            #expect(after.accessToken != before.accessToken)
            #expect(after.expiresAt > before.expiresAt)
            // Pipedrive expires the token early: the client sees 401, refreshes once and retries.
            try await simulator.control("POST", "/_sim/oauth/expire-access-tokens")
            #expect(try await client.currentUser().id == 1)
            #expect(try await Self.oauthGrants(simulator) == ["authorization_code", "refresh_token", "refresh_token"])
            #expect(await client.authorizationState == .ok)
        }
    }

    @Test("keep-alive refreshes while idle, so the refresh token outlives the 60-day inactivity expiry")
    func keepAlive() async throws {
        try await PipedriveSimulator.with { simulator in
            let directory = try TemporaryDirectory()
            defer { directory.cleanUp() }
            let clock = TestClock(Date())
            let (client, store, _) = try await Self.authorise(simulator, directory: directory, clock: clock)
            for _ in 0..<3 {  // 84 idle days in all, a keep-alive refresh every 28
                clock.advance(by: 28 * 86_400)
                try await simulator.control("POST", "/_sim/clock", json: ["advance": 28 * 86_400])
                #expect(try await store.keepAliveIfDue())
            }
            #expect(try await client.currentUser().id == 1)
            #expect(try await Self.oauthGrants(simulator).filter { $0 == "refresh_token" }.count == 3)
        }
    }

    @Test("invalid_grant: visible state, nothing dropped or sent; after re-authorisation calls resume")
    func reauthorisation() async throws {
        try await PipedriveSimulator.with { simulator in
            let directory = try TemporaryDirectory()
            defer { directory.cleanUp() }
            let clock = TestClock(Date())
            let (client, _, settings) = try await Self.authorise(simulator, directory: directory, clock: clock)
            try await simulator.control("POST", "/_sim/oauth/revoke-refresh-tokens")
            clock.advance(by: 3600)
            for _ in 0..<3 {
                do {
                    _ = try await client.currentUser()
                    Issue.record("expected a failure")
                } catch let error as PipedriveError {
                    #expect(SimulatorFaultTests.caseName(error) == "needsReauthorization")
                    #expect(error.isRetryable)  // the outbox keeps the item pending
                }
            }
            guard case .needsReauthorization(let reason) = await client.authorizationState else {
                Issue.record("the state should ask for re-authorisation")
                return
            }
            #expect(reason.contains("refresh_token is invalid"))
            let apiCalls = try await simulator.apiRequests().count
            #expect(try await Self.oauthGrants(simulator).filter { $0 == "refresh_token" }.count == 1)
            // An operator runs `ringlog auth` (another process writes the tokens file).
            let code = try await simulator.authorizationCode()
            _ = try await PipedriveAuthorization.complete(
                code: code, settings: settings, transport: SocketHTTPTransport.shared, now: clock.nowFunction)
            #expect(try await client.currentUser().id == 1)
            #expect(await client.authorizationState == .ok)
            #expect(try await simulator.apiRequests().count == apiCalls + 2)  // auth's users/me and ours
        }
    }

    @Test("the invalid_grant fault also leads to re-authorisation, and reloadTokens resumes")
    func invalidGrantFault() async throws {
        try await PipedriveSimulator.with { simulator in
            let directory = try TemporaryDirectory()
            defer { directory.cleanUp() }
            let clock = TestClock(Date())
            let (client, store, settings) = try await Self.authorise(simulator, directory: directory, clock: clock)
            try await simulator.setFaults(["invalid_grant": true])
            await #expect(throws: PipedriveError.self) { try await store.refresh() }
            #expect(await client.authorizationState.isUsable == false)
            try await simulator.setFaults([:])
            let code = try await simulator.authorizationCode()
            let (tokens, _) = try await PipedriveAuthorization.complete(
                code: code, settings: settings, transport: SocketHTTPTransport.shared, now: clock.nowFunction)
            #expect(await client.reloadTokens())
            #expect(await store.currentTokens == tokens)
            #expect(try await client.currentUser().id == 1)
        }
    }
}
