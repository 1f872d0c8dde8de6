import Foundation
import Testing

@testable import RinglogPipedrive

@Suite("Client rate limiting with an injected clock")
struct RateLimitingClientTests {
    static let user = FakeResponse(json: #"{"success":true,"data":{"id":1,"name":"A"}}"#)

    @Test("a 429 with Retry-After is honoured: the client waits that long, then retries")
    func honoursRetryAfter() async throws {
        let transport = FakeTransport(responses: [
            FakeResponse(429, headers: ["Retry-After": "7"], json: ""), Self.user,
        ])
        let clock = TestClock()
        let client = Fixtures.client(transport, clock: clock)
        let started = clock.now
        _ = try await client.currentUser()
        #expect(clock.sleeps == [.seconds(7)])
        #expect(transport.requests.count == 2)
        #expect(clock.now == started.addingTimeInterval(7))
        // The 429 was not served, so it is not counted.
        #expect(client.tokensSpent[.getCurrentUser] == TokenLedger.Usage(requests: 1, tokens: 2))
    }

    @Test("a long Retry-After is not waited inline: a retryable error says when to come back")
    func longRetryAfter() async throws {
        let transport = FakeTransport(responses: [
            FakeResponse(429, headers: ["Retry-After": "120"], json: ""), Self.user,
        ])
        let clock = TestClock()
        let client = Fixtures.client(transport, clock: clock)
        await #expect(throws: PipedriveError.rateLimited(retryAt: clock.now.addingTimeInterval(120))) {
            try await client.currentUser()
        }
        #expect(transport.requests.count == 1)
        // Still paused: nothing goes out before the time Pipedrive gave.
        await #expect(throws: PipedriveError.self) { try await client.currentUser() }
        #expect(transport.requests.count == 1)
        clock.advance(by: 120)
        _ = try await client.currentUser()
        #expect(transport.requests.count == 2)
    }

    @Test("an exhausted daily budget stops traffic until the reset, then resumes")
    func dailyBudgetStopsTraffic() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_767_261_600))  // 2026-01-01T10:00:00Z
        let transport = FakeTransport(responses: [
            FakeResponse(
                429, headers: ["x-daily-ratelimit-token-remaining": "0"], json: #"{"success":false,"error":"limit"}"#),
            FakeResponse(
                headers: ["x-daily-ratelimit-token-remaining": "29998"],
                json: #"{"success":true,"data":{"id":1,"name":"A"}}"#),
        ])
        let client = Fixtures.client(transport, clock: clock)
        let midnight = Date(timeIntervalSince1970: 1_767_312_000)
        await #expect(throws: PipedriveError.dailyBudgetExhausted(resetsAt: midnight)) {
            try await client.currentUser()
        }
        #expect(transport.requests.count == 1)
        for _ in 0..<5 {
            await #expect(throws: PipedriveError.dailyBudgetExhausted(resetsAt: midnight)) {
                try await client.addCallLog(
                    NewCallLog(outcome: .busy, toPhoneNumber: "1", startTime: clock.now, endTime: clock.now))
            }
        }
        #expect(transport.requests.count == 1)
        let status = await client.rateLimitStatus
        #expect(status.isDailyBudgetExhausted)
        #expect(status.dailyResetAt == midnight)
        #expect(clock.sleeps.isEmpty)
        clock.set(midnight)
        _ = try await client.currentUser()
        #expect(transport.requests.count == 2)
        #expect(await client.rateLimitStatus.isDailyBudgetExhausted == false)
    }

    @Test("a budget too small for a request stops it before it is sent")
    func budgetTooSmall() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_767_261_600))
        let transport = FakeTransport(responses: [
            FakeResponse(
                headers: ["x-daily-ratelimit-token-remaining": "5"],
                json: #"{"success":true,"data":{"id":1,"name":"A"}}"#)
        ])
        let client = Fixtures.client(transport, clock: clock)
        _ = try await client.currentUser()
        await #expect(throws: PipedriveError.self) {
            try await client.addCallLog(
                NewCallLog(outcome: .busy, toPhoneNumber: "1", startTime: clock.now, endTime: clock.now))
        }
        #expect(transport.requests.count == 1)
        _ = try await client.currentUser()  // 2 tokens still fit
        #expect(transport.requests.count == 2)
    }

    @Test("bursts are paced below the window limit by waiting, not by failing")
    func pacing() async throws {
        let transport = FakeTransport(responses: [Self.user])
        let clock = TestClock()
        let client = Fixtures.client(transport, clock: clock, rateLimits: .init(burstLimit: 4))
        for _ in 0..<10 { _ = try await client.currentUser() }
        #expect(transport.requests.count == 10)
        #expect(clock.sleeps == [.seconds(2), .seconds(2)])
    }

    @Test("429s without any wait time back off and finally give a retryable error")
    func gives429Up() async throws {
        let transport = FakeTransport(responses: [FakeResponse(429, json: "")])
        let clock = TestClock()
        let client = Fixtures.client(transport, clock: clock)
        do {
            _ = try await client.currentUser()
            Issue.record("expected a failure")
        } catch let error as PipedriveError {
            #expect(error.isRetryable)
            #expect(error.retryAt != nil)
        }
        #expect(transport.requests.count == 4)
        #expect(clock.sleeps == [.seconds(2), .seconds(4), .seconds(8)])
    }
}
