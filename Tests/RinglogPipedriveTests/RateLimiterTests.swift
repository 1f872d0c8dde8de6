import Foundation
import Testing

@testable import RinglogPipedrive

@Suite("Rate limiter")
struct RateLimiterTests {
    let start = Date(timeIntervalSince1970: 1_767_261_600)  // 2026-01-01T10:00:00Z

    @Test("paces requests to the 2-second burst window")
    func burstWindow() {
        var limiter = RateLimiter(configuration: .init(burstLimit: 3))
        for offset in 0..<3 {
            let now = start.addingTimeInterval(Double(offset) * 0.1)
            #expect(limiter.decide(for: .getPerson, at: now) == .send)
            limiter.recordSend(to: .getPerson, at: now)
        }
        #expect(limiter.decide(for: .getPerson, at: start.addingTimeInterval(0.5)) == .wait(.seconds(1.5)))
        #expect(limiter.decide(for: .getPerson, at: start.addingTimeInterval(2)) == .send)
    }

    @Test("learns the burst limit from x-ratelimit-limit and stops at remaining 0 until the reset")
    func learnsFromHeaders() {
        var limiter = RateLimiter()
        limiter.recordSend(to: .getPerson, at: start)
        limiter.recordResponse(
            status: 200, headers: ["X-RateLimit-Limit": "80", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"],
            at: start)
        #expect(limiter.burstLimit == 80)
        #expect(limiter.decide(for: .getPerson, at: start) == .wait(.seconds(1)))
        #expect(limiter.decide(for: .getPerson, at: start.addingTimeInterval(1)) == .send)
    }

    @Test("search endpoints get 10 requests per window")
    func searchLimit() {
        var limiter = RateLimiter(configuration: .init(burstLimit: 100))
        for _ in 0..<10 { limiter.recordSend(to: .searchPersons, at: start) }
        #expect(limiter.decide(for: .searchPersons, at: start) == .wait(.seconds(2)))
        #expect(limiter.decide(for: .getPerson, at: start) == .send)
    }

    @Test("a 429 pauses for Retry-After seconds")
    func retryAfterSeconds() {
        var limiter = RateLimiter()
        limiter.recordResponse(status: 429, headers: ["Retry-After": "7"], at: start)
        #expect(limiter.decide(for: .addCallLog, at: start) == .wait(.seconds(7)))
        #expect(limiter.decide(for: .addCallLog, at: start.addingTimeInterval(7)) == .send)
    }

    @Test("a 429 with an HTTP-date Retry-After")
    func retryAfterDate() {
        var limiter = RateLimiter()
        limiter.recordResponse(status: 429, headers: ["retry-after": "Thu, 01 Jan 2026 10:00:05 GMT"], at: start)
        #expect(limiter.decide(for: .addCallLog, at: start) == .wait(.seconds(5)))
    }

    @Test("a 429 without Retry-After uses x-ratelimit-reset, else doubling back-off")
    func resetHeaderAndBackoff() {
        var limiter = RateLimiter()
        limiter.recordResponse(status: 429, headers: ["x-ratelimit-reset": "3"], at: start)
        #expect(limiter.decide(for: .addCallLog, at: start) == .wait(.seconds(3)))
        var bare = RateLimiter()
        bare.recordResponse(status: 429, headers: [:], at: start)
        #expect(bare.decide(for: .addCallLog, at: start) == .wait(.seconds(2)))
        bare.recordResponse(status: 429, headers: [:], at: start)
        #expect(bare.decide(for: .addCallLog, at: start) == .wait(.seconds(4)))
    }

    @Test("repeated unexplained 429s are taken as a spent daily budget")
    func repeated429s() {
        var limiter = RateLimiter(configuration: .init(unexplained429sMeaningBudgetExhausted: 3))
        for _ in 0..<3 { limiter.recordResponse(status: 429, headers: [:], at: start) }
        let midnight = Date(timeIntervalSince1970: 1_767_312_000)
        #expect(limiter.decide(for: .getPerson, at: start) == .dailyBudgetExhausted(resetsAt: midnight))
    }

    @Test("an exhausted daily budget stops everything until midnight UTC, then traffic resumes")
    func dailyBudget() {
        var limiter = RateLimiter()
        limiter.recordResponse(
            status: 200,
            headers: ["x-daily-ratelimit-token-remaining": "12", "x-daily-ratelimit-token-limit": "30000"], at: start)
        #expect(limiter.decide(for: .addCallLog, at: start) == .send)
        limiter.recordSend(to: .addCallLog, at: start)  // 10 tokens: 2 left
        let midnight = Date(timeIntervalSince1970: 1_767_312_000)
        #expect(limiter.decide(for: .addCallLog, at: start) == .dailyBudgetExhausted(resetsAt: midnight))
        #expect(limiter.decide(for: .getPerson, at: start) == .send)  // 1 token still fits
        limiter.recordResponse(status: 429, headers: ["x-daily-ratelimit-token-remaining": "0"], at: start)
        #expect(limiter.isDailyBudgetExhausted(at: start))
        #expect(
            limiter.decide(for: .getPerson, at: midnight.addingTimeInterval(-1))
                == .dailyBudgetExhausted(resetsAt: midnight))
        #expect(limiter.decide(for: .getPerson, at: midnight) == .send)
        #expect(limiter.dailyTokensRemaining == nil)
    }

    @Test("a daily reset header overrides midnight")
    func dailyResetHeader() {
        var limiter = RateLimiter()
        limiter.recordResponse(
            status: 429, headers: ["x-daily-ratelimit-token-remaining": "0", "x-daily-ratelimit-token-reset": "600"],
            at: start)
        #expect(
            limiter.decide(for: .getPerson, at: start) == .dailyBudgetExhausted(resetsAt: start.addingTimeInterval(600))
        )
        #expect(limiter.decide(for: .getPerson, at: start.addingTimeInterval(600)) == .send)
    }
}
