import Foundation
import RinglogTestSupport
import Testing

@testable import RinglogPipedrive

@Suite("Client against the Pipedrive simulator: faults and limits", .enabled(if: PipedriveSimulator.isAvailable))
struct SimulatorFaultTests {
    /// A second session with a short timeout, shared by the tests that need it.
    static let impatientTransport = SocketHTTPTransport(timeout: .seconds(1))

    @Test("a 429 with Retry-After is honoured and the request then succeeds")
    func retryAfter() async throws {
        try await PipedriveSimulator.with { simulator in
            try await simulator.setFaults(["burst_429": 2, "retry_after": 3])
            let clock = TestClock(Date())
            let client = simulator.apiTokenClient(clock: clock)
            #expect(try await client.currentUser().id == 1)
            #expect(clock.sleeps == [.seconds(3), .seconds(3)])
            let statuses = try await simulator.apiRequests().compactMap { $0["status"] as? Int }
            #expect(statuses == [429, 429, 200])
        }
    }

    @Test("the client paces itself under the simulator's burst window instead of getting 429s")
    func pacing() async throws {
        try await PipedriveSimulator.with { simulator in
            // A frozen simulator clock makes its 2-second window independent of machine speed; the client's
            // injected sleep advances both clocks together.
            try await simulator.control("POST", "/_sim/clock", json: ["freeze": true])
            let clock = TestClock(Date())
            let client = PipedriveClient(
                configuration: .init(baseURL: simulator.baseURL), credentials: .apiToken(PipedriveSimulator.apiToken),
                transport: SocketHTTPTransport.shared, now: clock.nowFunction,
                sleep: { duration in
                    try await clock.sleepFunction(duration)
                    try await simulator.control("POST", "/_sim/clock", json: ["advance": duration.seconds])
                })
            for _ in 0..<45 { _ = try await client.currentUser() }
            let statuses = try await simulator.apiRequests().compactMap { $0["status"] as? Int }
            #expect(statuses.count == 45)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(!clock.sleeps.isEmpty)
        }
    }

    @Test("an exhausted daily budget stops traffic until the reset, then it resumes")
    func dailyBudget() async throws {
        try await PipedriveSimulator.with { simulator in
            try await simulator.setFaults(["daily_budget": 30, "daily_used": 0])
            let clock = TestClock(Date())
            let client = simulator.apiTokenClient(clock: clock)
            for _ in 0..<5 { _ = try await client.currentUser() }  // 10 tokens
            _ = try await client.users()  // 20 tokens: 30 used, 0 left
            var resetAt: Date?
            do {
                _ = try await client.currentUser()
                Issue.record("expected the budget to be exhausted")
            } catch PipedriveError.dailyBudgetExhausted(let date) {
                resetAt = date
            }
            let sent = try await simulator.apiRequests().count
            for _ in 0..<10 {
                await #expect(throws: PipedriveError.self) { try await client.currentUser() }
            }
            #expect(try await simulator.apiRequests().count == sent)  // nothing more was sent
            #expect(await client.rateLimitStatus.isDailyBudgetExhausted)
            let reset = try #require(resetAt)
            #expect(reset > clock.now)
            try await simulator.control("POST", "/_sim/reset-budget")
            clock.set(reset)
            #expect(try await client.currentUser().id == 1)
            #expect(try await simulator.apiRequests().count == sent + 1)
        }
    }

    @Test("a daily-budget 429 from Pipedrive stops traffic until its Retry-After, without hammering")
    func dailyBudget429() async throws {
        try await PipedriveSimulator.with { simulator in
            let clock = TestClock(Date())
            let client = simulator.apiTokenClient(clock: clock)
            _ = try await client.currentUser()  // the client now believes plenty is left
            try await simulator.setFaults(["daily_budget": 100, "daily_used": 100])
            var resetAt: Date?
            do {
                _ = try await client.addCallLog(
                    NewCallLog(outcome: .busy, toPhoneNumber: "+358400124387", startTime: clock.now, endTime: clock.now)
                )
                Issue.record("expected the budget to be exhausted")
            } catch PipedriveError.dailyBudgetExhausted(let date) {
                resetAt = date
            }
            let statuses = try await simulator.apiRequests().compactMap { $0["status"] as? Int }
            #expect(statuses == [200, 429])  // exactly one 429, no retry loop
            let reset = try #require(resetAt)
            #expect(reset > clock.now)
            #expect(reset <= PipedriveTimestamp.nextMidnightUTC(after: clock.now).addingTimeInterval(60))
            for _ in 0..<5 { await #expect(throws: PipedriveError.self) { try await client.currentUser() } }
            #expect(try await simulator.apiRequests().count == 2)
            try await simulator.control("POST", "/_sim/reset-budget")
            try await simulator.setFaults([:])
            clock.set(reset)
            #expect(try await client.currentUser().id == 1)
        }
    }

    @Test("5xx answers (JSON and HTML gateway pages) are retryable server errors", arguments: [500, 502, 503])
    func serverErrors(status: Int) async throws {
        try await PipedriveSimulator.with { simulator in
            try await simulator.setFaults(["error_rate": 1.0, "error_statuses": [status]])
            let client = simulator.apiTokenClient()
            do {
                _ = try await client.currentUser()
                Issue.record("expected a failure")
            } catch let error as PipedriveError {
                guard case .serverError(let seen, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(seen == status)
                #expect(error.isRetryable)
            }
            #expect(client.ledger.totalTokens == 0)
        }
    }

    @Test("a dropped connection is a retryable transport failure")
    func droppedConnection() async throws {
        try await PipedriveSimulator.with { simulator in
            try await simulator.setFaults(["drop_rate": 1.0])
            let client = simulator.apiTokenClient()
            do {
                _ = try await client.currentUser()
                Issue.record("expected a failure")
            } catch let error as PipedriveError {
                guard case .transport = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(error.isRetryable)
            }
        }
    }

    @Test("a slow answer beyond the transport timeout is a retryable timeout")
    func timeout() async throws {
        try await PipedriveSimulator.with { simulator in
            try await simulator.setFaults(["slow_rate": 1.0, "slow_ms": 4000])
            let client = simulator.apiTokenClient(transport: SimulatorFaultTests.impatientTransport)
            await #expect(throws: PipedriveError.transport(.timedOut)) { try await client.currentUser() }
        }
    }

    @Test("permanent errors: bad token 401, 403, 404, 409, 410 and 400, none retryable, none leaking the token")
    func permanentErrors() async throws {
        try await PipedriveSimulator.with { simulator in
            let badToken = "wrong-token-123456"
            let bad = simulator.apiTokenClient(token: badToken)
            do {
                _ = try await bad.currentUser()
                Issue.record("expected a failure")
            } catch let error as PipedriveError {
                guard case .unauthorized = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(!error.isRetryable)
                #expect(!error.description.contains(badToken))
            }

            let client = simulator.apiTokenClient()
            await Self.expectPermanent("notFound") { _ = try await client.person(id: 999_999) }
            let start = Date().addingTimeInterval(-60)
            let log = try await client.addCallLog(
                NewCallLog(outcome: .busy, toPhoneNumber: "+358400124387", startTime: start, endTime: start))
            try await client.attachRecording(Data([1]), fileName: "a.wav", toCallLog: log.id)
            await Self.expectPermanent("conflict") {
                try await client.attachRecording(Data([1]), fileName: "a.wav", toCallLog: log.id)
            }
            try await client.deleteCallLog(id: log.id)
            await Self.expectPermanent("gone") { try await client.deleteCallLog(id: log.id) }
            await Self.expectPermanent("invalidRequest") {
                _ = try await client.addActivity(ActivityFields(subject: "x", type: "no-such-type"))
            }
            let second = simulator.apiTokenClient(token: PipedriveSimulator.secondUserToken)
            await Self.expectPermanent("forbidden") {
                _ = try await second.addCallLog(
                    NewCallLog(
                        outcome: .busy, toPhoneNumber: "+358400124387", startTime: start, endTime: start, userID: 1))
            }
        }
    }

    /// The name of an error's case, for comparing kinds without payloads.
    static func caseName(_ error: PipedriveError) -> String {
        switch error {
        case .rateLimited: "rateLimited"
        case .dailyBudgetExhausted: "dailyBudgetExhausted"
        case .serverError: "serverError"
        case .transport: "transport"
        case .needsReauthorization: "needsReauthorization"
        case .unauthorized: "unauthorized"
        case .invalidRequest: "invalidRequest"
        case .paymentRequired: "paymentRequired"
        case .forbidden: "forbidden"
        case .notFound: "notFound"
        case .conflict: "conflict"
        case .gone: "gone"
        case .unexpectedResponse: "unexpectedResponse"
        case .oauthRefused: "oauthRefused"
        }
    }

    static func expectPermanent(_ expected: String, _ call: () async throws -> Void) async {
        do {
            try await call()
            Issue.record("expected \(expected)")
        } catch let error as PipedriveError {
            #expect(caseName(error) == expected, "\(error)")
            #expect(!error.isRetryable)
            #expect(!error.description.contains(PipedriveSimulator.apiToken))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
