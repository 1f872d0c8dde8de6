import Foundation

/// What the client currently knows about Pipedrive's limits, for `ringlog status` and the logs.
public struct RateLimitStatus: Equatable, Sendable {
    /// Requests allowed per 2-second window.
    public var burstLimit: Int
    /// Daily budget tokens left (estimated since the last response), when known.
    public var dailyTokensRemaining: Int?
    /// The daily budget size, when Pipedrive reported it.
    public var dailyTokenLimit: Int?
    /// When the daily budget resets, when known.
    public var dailyResetAt: Date?
    /// Whether the daily budget is spent: nothing is sent until ``dailyResetAt``.
    public var isDailyBudgetExhausted: Bool
    /// No request goes out before this time (after a 429), if set.
    public var pausedUntil: Date?
}
