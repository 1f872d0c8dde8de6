import Foundation
import RinglogCore
import Testing

@testable import RinglogPipedrive

@Suite("ringlog auth building blocks")
struct PipedriveAuthorizationTests {
    @Test("reads the code from a pasted redirect URL, a query or a bare code")
    func pastedCode() throws {
        #expect(
            try PipedriveAuthorization.code(
                fromPasted: "  http://127.0.0.1/callback?code=abc%2F1&state=s1\n", expectedState: "s1") == "abc/1")
        #expect(try PipedriveAuthorization.code(fromPasted: "?state=s1&code=xyz", expectedState: "s1") == "xyz")
        #expect(try PipedriveAuthorization.code(fromPasted: "bare.code-123", expectedState: "s1") == "bare.code-123")
        #expect(try PipedriveAuthorization.code(fromPasted: "http://x/cb?code=c", expectedState: nil) == "c")
    }

    @Test("refuses a wrong state, a denial, and text without a code, with distinct exit codes")
    func pastedFailures() {
        #expect(throws: PipedriveAuthorization.Failure.stateMismatch) {
            try PipedriveAuthorization.code(fromPasted: "http://x/cb?code=c&state=other", expectedState: "s1")
        }
        #expect(throws: PipedriveAuthorization.Failure.denied("user_denied")) {
            try PipedriveAuthorization.code(fromPasted: "http://x/cb?error=user_denied&state=s1", expectedState: "s1")
        }
        #expect(throws: PipedriveAuthorization.Failure.self) {
            try PipedriveAuthorization.code(fromPasted: "", expectedState: "s1")
        }
        #expect(throws: PipedriveAuthorization.Failure.self) {
            try PipedriveAuthorization.code(fromPasted: "two words", expectedState: "s1")
        }
        #expect(PipedriveAuthorization.Failure.stateMismatch.exitCode == .dataError)
        #expect(PipedriveAuthorization.Failure.refused("x").exitCode == .noPermission)
        #expect(PipedriveAuthorization.Failure.unreachable("x").exitCode == .unavailable)
        #expect(PipedriveAuthorization.makeState() != PipedriveAuthorization.makeState())
    }

    @Test("settings come from the tenant configuration, with the secret already read")
    func settings() throws {
        let configuration = TenantConfiguration(
            tenant: "acme", stateDirectory: "/var/lib/ringlog/acme",
            pipedrive: PipedriveSettings(
                baseURL: "https://acme.pipedrive.com",
                credentials: .oauth(
                    OAuthSettings(
                        clientID: "cid", clientSecret: .file(path: "/etc/ringlog/acme.secret"),
                        redirectURI: "http://127.0.0.1/callback"))))
        let settings = try PipedriveAuthSettings(
            configuration: configuration, clientSecret: Secret("file-secret-value"))
        #expect(settings.oauth.clientSecret == "file-secret-value")
        #expect(settings.tenant == "acme")
        #expect(settings.tokenFile.path == "/var/lib/ringlog/acme/oauth-tokens.json")
        #expect(settings.oauth.tokenURL == OAuthClientCredentials.defaultTokenURL)
        #expect(settings.oauth.authorizeURL == OAuthClientCredentials.defaultAuthorizeURL)
        #expect(!String(describing: settings).contains("file-secret-value"))
    }

    @Test("an API-token tenant is told it needs no authorisation, exit 78")
    func apiTokenTenant() {
        let configuration = TenantConfiguration(
            tenant: "acme", stateDirectory: "/s",
            pipedrive: PipedriveSettings(
                baseURL: "https://acme.pipedrive.com", credentials: .apiToken(.file(path: "/t"))))
        #expect {
            try PipedriveAuthSettings(configuration: configuration, clientSecret: Secret("x"))
        } throws: { error in
            guard let failure = error as? PipedriveAuthSettings.Failure else { return false }
            return failure.exitCode == .configuration && failure.message.contains("needs no authorisation")
        }
    }

    @Test("complete: exchanges the code, stores the tokens 0600 and asks who authorised")
    func complete() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let transport = FakeTransport { request in
            if request.path == "/oauth/token" {
                return Fixtures.tokenResponse(access: "acc-1xxxx", refresh: "ref-1xxxx")
            }
            return FakeResponse(json: #"{"success":true,"data":{"id":1,"name":"Anna","company_domain":"acme"}}"#)
        }
        let settings = PipedriveAuthSettings(
            stateDirectory: directory.path + "/state", baseURL: URL(string: "http://127.0.0.1:9"),
            oauth: OAuthTests.credentials)
        let (tokens, user) = try await PipedriveAuthorization.complete(
            code: "c", settings: settings, transport: transport)
        #expect(user.name == "Anna")
        #expect(try settings.tokenFile.load() == tokens)
        #expect(transport.requests.last?.url.absoluteString == "http://127.0.0.1:9/api/v1/users/me")
        #expect(transport.requests.last?.header("Authorization") == "Bearer acc-1xxxx")
    }

    @Test("complete: a refused code exits 77, an unreachable server 69")
    func completeFailures() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let settings = PipedriveAuthSettings(
            stateDirectory: directory.path, baseURL: nil, oauth: OAuthTests.credentials)
        let refused = FakeTransport(responses: [FakeResponse(400, json: #"{"error":"invalid_grant"}"#)])
        await #expect(throws: PipedriveAuthorization.Failure.refused("invalid_grant")) {
            try await PipedriveAuthorization.complete(code: "c", settings: settings, transport: refused)
        }
        let down = FakeTransport { _ in throw TransportFailure.cannotConnect("refused") }
        do {
            _ = try await PipedriveAuthorization.complete(code: "c", settings: settings, transport: down)
            Issue.record("expected a failure")
        } catch {
            #expect(error.exitCode == .unavailable)
        }
        #expect(try settings.tokenFile.load() == nil)
    }
}

@Suite("Client from tenant settings")
struct PipedriveClientSettingsTests {
    @Test("without tokens the client starts in needs-re-authorisation and sends nothing")
    func withoutTokens() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let transport = FakeTransport(responses: [FakeResponse()])
        let settings = PipedriveAuthSettings(
            stateDirectory: directory.path, baseURL: Fixtures.baseURL, oauth: OAuthTests.credentials)
        let client = try PipedriveClient.make(settings: settings, transport: transport)
        #expect(await client.authorizationState.isUsable == false)
        await #expect(throws: PipedriveError.needsReauthorization(reason: "no OAuth tokens stored yet")) {
            try await client.currentUser()
        }
        #expect(transport.requests.isEmpty)
        let noBase = PipedriveAuthSettings(stateDirectory: directory.path, baseURL: nil, oauth: OAuthTests.credentials)
        #expect(throws: PipedriveAuthSettings.Failure.self) { try PipedriveClient.make(settings: noBase) }
    }
}
