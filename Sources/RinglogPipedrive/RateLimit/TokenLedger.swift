import Foundation
import Synchronization
import class RinglogCore.Locked

/// Counts the daily-budget tokens ringlog spent today (the current UTC day), per endpoint, from Pipedrive's
/// published costs.
///
/// A request counts when Pipedrive processed it: any answer except 401 (not authenticated), 429 (not
/// admitted) and 5xx (a gateway or server failure). Pipedrive's budget is a daily one, so the counts start
/// again from zero when the UTC day turns. They are ringlog's estimate; Pipedrive's own figure is the
/// `x-daily-ratelimit-token-remaining` header.
public final class TokenLedger: Sendable {
    /// Requests and tokens spent on one endpoint.
    public struct Usage: Equatable, Sendable {
        /// Requests answered.
        public var requests: Int
        /// Tokens those requests cost.
        public var tokens: Int

        /// Creates a usage record.
        public init(requests: Int = 0, tokens: Int = 0) {
            self.requests = requests
            self.tokens = tokens
        }
    }

    private struct Day: Sendable {
        var number: Int64
        var usage: [PipedriveEndpoint: Usage] = [:]
    }

    private let now: @Sendable () -> Date
    private let state: Locked<Day>

    /// Creates an empty ledger that reads the date from `now` (the wall clock by default).
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        state = Locked(Day(number: Self.utcDay(of: now())))
    }

    /// The UTC day of `date`: days since 1970-01-01.
    public static func utcDay(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// The UTC date of `date` as `YYYY-MM-DD`.
    public static func utcDate(of date: Date) -> String {
        String(PipedriveTimestamp.rfc3339(date).prefix(10))
    }

    /// Whether a response with `status` spends tokens.
    public static func isCharged(status: Int) -> Bool {
        status != 401 && status != 429 && !(500...599).contains(status)
    }

    /// Records one answered request to `endpoint`, today.
    public func record(_ endpoint: PipedriveEndpoint) {
        let today = Self.utcDay(of: now())
        state.withLock { day in
            if day.number != today { day = Day(number: today) }
            day.usage[endpoint, default: Usage()].requests += 1
            day.usage[endpoint, default: Usage()].tokens += endpoint.tokenCost
        }
    }

    /// Adds usage counted earlier today, e.g. by the previous run of the daemon; ignored unless `day` is today.
    public func restore(_ usage: [PipedriveEndpoint: Usage], day: Int64) {
        let today = Self.utcDay(of: now())
        guard day == today else { return }
        state.withLock { current in
            if current.number != today { current = Day(number: today) }
            for (endpoint, spent) in usage {
                current.usage[endpoint, default: Usage()].requests += spent.requests
                current.usage[endpoint, default: Usage()].tokens += spent.tokens
            }
        }
    }

    /// Usage per endpoint today (UTC); empty after midnight until the first request of the new day.
    public var byEndpoint: [PipedriveEndpoint: Usage] {
        let today = Self.utcDay(of: now())
        return state.withLock { $0.number == today ? $0.usage : [:] }
    }

    /// All tokens spent today.
    public var totalTokens: Int { byEndpoint.values.reduce(0) { $0 + $1.tokens } }

    /// Forgets all counts.
    public func reset() { state.withLock { $0 = Day(number: Self.utcDay(of: now())) } }
}
