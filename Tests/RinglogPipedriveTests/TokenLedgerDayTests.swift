import Foundation
import Synchronization
import Testing

import class RinglogCore.Locked

@testable import RinglogPipedrive

/// The ledger counts Pipedrive's budget day: the current UTC day, from zero again after midnight UTC.
@Suite("Token ledger: tokens today")
struct TokenLedgerDayTests {
    /// A wall clock the test moves.
    final class Clock: Sendable {
        let date = Locked(Date(timeIntervalSince1970: 1_795_000_000))  // 2026-11-18T09:46:40Z
        func now() -> Date { date.withLock { $0 } }
        func set(_ text: String) { date.withLock { $0 = ISO8601DateFormatter().date(from: text) ?? $0 } }
    }

    @Test("counts reset when the UTC day turns, not at local midnight or at start")
    func resetsAtUTCMidnight() {
        let clock = Clock()
        clock.set("2026-11-18T23:59:58Z")
        let ledger = TokenLedger(now: { clock.now() })
        ledger.record(.addCallLog)
        ledger.record(.listPersons)
        #expect(ledger.totalTokens == 20)
        #expect(TokenLedger.utcDate(of: clock.now()) == "2026-11-18")
        clock.set("2026-11-18T23:59:59Z")
        #expect(ledger.byEndpoint[.addCallLog] == TokenLedger.Usage(requests: 1, tokens: 10))
        // Midnight UTC: yesterday's counts are gone even before the first request of the day.
        clock.set("2026-11-19T00:00:00Z")
        #expect(ledger.byEndpoint.isEmpty)
        #expect(ledger.totalTokens == 0)
        ledger.record(.getCurrentUser)
        #expect(ledger.byEndpoint == [.getCurrentUser: TokenLedger.Usage(requests: 1, tokens: 2)])
    }

    @Test("usage of an earlier run is added only on the same UTC day")
    func restoresTodayOnly() {
        let clock = Clock()
        clock.set("2026-11-19T08:00:00Z")
        let ledger = TokenLedger(now: { clock.now() })
        let today = TokenLedger.utcDay(of: clock.now())
        ledger.restore([.addCallLog: TokenLedger.Usage(requests: 3, tokens: 30)], day: today - 1)
        #expect(ledger.totalTokens == 0)
        ledger.restore([.addCallLog: TokenLedger.Usage(requests: 3, tokens: 30)], day: today)
        ledger.record(.addCallLog)
        #expect(ledger.byEndpoint[.addCallLog] == TokenLedger.Usage(requests: 4, tokens: 40))
    }
}
