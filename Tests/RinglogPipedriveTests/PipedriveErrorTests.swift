import Foundation
import Testing

@testable import RinglogPipedrive

@Suite("Error classes")
struct PipedriveErrorTests {
    struct StatusCase: Sendable, CustomStringConvertible {
        var status: Int
        var body: String
        var expected: PipedriveError
        var description: String { "HTTP \(status)" }
    }

    static let statusCases: [StatusCase] = [
        .init(
            status: 400, body: #"{"success":false,"error":"\"outcome\" is required.","error_info":"x"}"#,
            expected: .invalidRequest(status: 400, message: "\"outcome\" is required.")),
        .init(
            status: 401, body: #"{"success":false,"error":"unauthorized access","errorCode":401}"#,
            expected: .unauthorized(message: "unauthorized access")),
        .init(
            status: 402, body: #"{"success":false,"error":"Payment required"}"#,
            expected: .paymentRequired(message: "Payment required")),
        .init(
            status: 403, body: #"{"success":false,"error":"limit","code":"feature_capping_deals_limit"}"#,
            expected: .forbidden(message: "limit", code: "feature_capping_deals_limit")),
        .init(
            status: 403, body: "<html><body>Cloudflare</body></html>",
            expected: .forbidden(message: "a non-JSON (HTML) page", code: nil)),
        .init(status: 404, body: #"{"success":false,"error":"Not found"}"#, expected: .notFound(message: "Not found")),
        .init(status: 409, body: #"{"success":false,"error":"exists"}"#, expected: .conflict(message: "exists")),
        .init(
            status: 410, body: #"{"success":false,"error":"callLog no longer available"}"#,
            expected: .gone(message: "callLog no longer available")),
        .init(
            status: 422, body: #"{"success":false,"error":"limit reached"}"#,
            expected: .invalidRequest(status: 422, message: "limit reached")),
        .init(
            status: 500, body: #"{"success":false,"error":"boom"}"#,
            expected: .serverError(status: 500, message: "boom")),
        .init(status: 503, body: "", expected: .serverError(status: 503, message: "no details")),
    ]

    @Test("statuses map to typed errors, retryable only for 5xx", arguments: statusCases)
    func mapsStatus(testCase: StatusCase) async throws {
        let transport = FakeTransport(responses: [FakeResponse(testCase.status, json: testCase.body)])
        let client = Fixtures.client(transport)
        await #expect(throws: testCase.expected) { try await client.callLog(id: "x") }
        #expect(testCase.expected.isRetryable == (testCase.status >= 500))
        #expect(transport.requests.count == 1)
    }

    @Test(
        "network failures are retryable",
        arguments: [TransportFailure.timedOut, .cannotConnect("refused"), .connectionLost("reset")])
    func transportFailures(failure: TransportFailure) async throws {
        let transport = FakeTransport { _ in throw failure }
        let client = Fixtures.client(transport)
        do {
            _ = try await client.currentUser()
            Issue.record("expected a failure")
        } catch let error as PipedriveError {
            #expect(error == .transport(failure))
            #expect(error.isRetryable)
        }
    }

    @Test("a token echoed by Pipedrive never reaches an error message")
    func redactsEchoedToken() async throws {
        let body = #"{"success":false,"error":"token \#(Fixtures.apiToken) is not valid"}"#
        let transport = FakeTransport(responses: [FakeResponse(401, json: body)])
        let client = Fixtures.client(transport)
        do {
            _ = try await client.currentUser()
            Issue.record("expected a failure")
        } catch {
            #expect(!String(describing: error).contains(Fixtures.apiToken))
            #expect(String(describing: error).contains("[redacted]"))
        }
    }

    @Test("descriptions of credentials, tokens and OAuth settings hide the secrets")
    func descriptionsRedact() {
        let tokens = Fixtures.tokens(expiresAt: Date(), refreshedAt: Date())
        let credentials = OAuthClientCredentials(
            clientID: "id", clientSecret: "very-secret-value", redirectURI: "http://x")
        let texts = [
            String(describing: PipedriveCredentials.apiToken(Fixtures.apiToken)), String(describing: tokens),
            String(describing: credentials), String(reflecting: tokens),
        ]
        for text in texts {
            #expect(!text.contains(Fixtures.apiToken))
            #expect(!text.contains(tokens.accessToken))
            #expect(!text.contains(tokens.refreshToken))
            #expect(!text.contains("very-secret-value"))
        }
    }

    @Test("a 200 whose body is not the expected shape is a permanent, readable error")
    func undecodable() async throws {
        let transport = FakeTransport(responses: [FakeResponse(json: #"{"success":true,"data":{"name":"no id"}}"#)])
        let client = Fixtures.client(transport)
        do {
            _ = try await client.person(id: 1)
            Issue.record("expected a failure")
        } catch let error as PipedriveError {
            guard case .unexpectedResponse = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(!error.isRetryable)
        }
    }
}
