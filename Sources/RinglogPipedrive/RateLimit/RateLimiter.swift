import Foundation

/// Decides when the next Pipedrive request may go out, from what earlier responses said.
///
/// A pure state machine: the caller passes the current time in, asks ``decide(for:at:)`` before each
/// request, and feeds every response's status and headers to ``recordResponse(status:headers:at:)``.
/// It keeps three limits:
/// - the rolling 2-second burst window (`x-ratelimit-limit`/`-remaining`/`-reset`, and 10 per 2 s for search);
/// - an explicit pause after HTTP 429 (`Retry-After`, else `x-ratelimit-reset`, else exponential back-off);
/// - the company's daily token budget (`x-daily-ratelimit-token-remaining`): once it cannot pay for a
///   request, nothing is sent until the reset (`x-daily-ratelimit-token-reset` seconds, else midnight UTC).
public struct RateLimiter: Sendable {
    /// Limits assumed until Pipedrive's headers say otherwise.
    public struct Configuration: Sendable, Equatable {
        /// Requests per window before the first `x-ratelimit-limit` header (the smallest plan's API-token limit).
        public var burstLimit: Int
        /// Requests per window for search endpoints, on every plan.
        public var searchBurstLimit: Int
        /// The rolling window length.
        public var window: Duration
        /// First back-off after a 429 that gives no wait time; doubles for each further 429.
        public var initialBackoff: Duration
        /// Longest back-off after 429s that give no wait time.
        public var maximumBackoff: Duration
        /// After this many 429s in a row without any wait time, assume the daily budget is gone.
        public var unexplained429sMeaningBudgetExhausted: Int

        /// Creates a configuration; the defaults follow Pipedrive's documented limits.
        public init(
            burstLimit: Int = 20, searchBurstLimit: Int = 10, window: Duration = .seconds(2),
            initialBackoff: Duration = .seconds(2), maximumBackoff: Duration = .seconds(60),
            unexplained429sMeaningBudgetExhausted: Int = 6
        ) {
            self.burstLimit = burstLimit
            self.searchBurstLimit = searchBurstLimit
            self.window = window
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.unexplained429sMeaningBudgetExhausted = unexplained429sMeaningBudgetExhausted
        }
    }

    /// What to do with the next request.
    public enum Decision: Equatable, Sendable {
        /// Send it now.
        case send
        /// Wait this long, then ask again.
        case wait(Duration)
        /// The daily budget cannot pay for it: send nothing until `resetsAt`.
        case dailyBudgetExhausted(resetsAt: Date)
    }

    /// The configuration in use.
    public let configuration: Configuration
    /// Requests allowed per window, as Pipedrive last reported it.
    public private(set) var burstLimit: Int
    /// Daily budget tokens left, as last reported and minus what was sent since; `nil` when unknown.
    public private(set) var dailyTokensRemaining: Int?
    /// The daily budget size, when Pipedrive reported it.
    public private(set) var dailyTokenLimit: Int?
    /// When the daily budget resets, once ringlog has learnt anything about it.
    public private(set) var dailyResetAt: Date?
    /// No request goes out before this time (after a 429).
    public private(set) var pausedUntil: Date?

    private var sendTimes: [Date] = []
    private var searchSendTimes: [Date] = []
    private var windowRemaining: Int?
    private var windowResetAt: Date?
    private var unexplained429s = 0

    /// Creates a limiter that knows nothing about the account yet.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        burstLimit = configuration.burstLimit
    }

    /// Whether the daily budget is known to be spent at `now`.
    public func isDailyBudgetExhausted(at now: Date) -> Bool {
        guard let remaining = dailyTokensRemaining, let reset = dailyResetAt else { return false }
        return remaining <= 0 && now < reset
    }

    /// Decides whether a request to `endpoint` may go out at `now`.
    public mutating func decide(for endpoint: PipedriveEndpoint, at now: Date) -> Decision {
        if let reset = dailyResetAt, now >= reset {
            // A new budget day: forget the old count and learn the new one from the next response.
            dailyTokensRemaining = nil
            dailyResetAt = nil
            unexplained429s = 0
        }
        if let remaining = dailyTokensRemaining, remaining < max(endpoint.tokenCost, 1) {
            let reset = dailyResetAt ?? PipedriveTimestamp.nextMidnightUTC(after: now)
            dailyResetAt = reset
            return .dailyBudgetExhausted(resetsAt: reset)
        }
        var earliest = now
        if let paused = pausedUntil {
            if paused > now { earliest = paused } else { pausedUntil = nil }
        }
        let windowSeconds = configuration.window.seconds
        sendTimes.removeAll { now.timeIntervalSince($0) >= windowSeconds }
        searchSendTimes.removeAll { now.timeIntervalSince($0) >= windowSeconds }
        if sendTimes.count >= burstLimit, let oldest = sendTimes.first {
            earliest = max(earliest, oldest.addingTimeInterval(windowSeconds))
        }
        if endpoint.isSearch, searchSendTimes.count >= configuration.searchBurstLimit,
            let oldest = searchSendTimes.first
        {
            earliest = max(earliest, oldest.addingTimeInterval(windowSeconds))
        }
        if let remaining = windowRemaining, remaining <= 0, let reset = windowResetAt, reset > now {
            earliest = max(earliest, reset)
        }
        return earliest > now ? .wait(.seconds(earliest.timeIntervalSince(now))) : .send
    }

    /// Notes that a request to `endpoint` went out at `now` (call right after a `.send` decision).
    public mutating func recordSend(to endpoint: PipedriveEndpoint, at now: Date) {
        sendTimes.append(now)
        if endpoint.isSearch { searchSendTimes.append(now) }
        if let remaining = windowRemaining { windowRemaining = remaining - 1 }
        if let remaining = dailyTokensRemaining { dailyTokensRemaining = remaining - endpoint.tokenCost }
    }

    /// Learns from a response: burst headers, daily budget headers, and 429 wait times.
    /// - Parameters:
    ///   - headers: response headers; names are matched case-insensitively.
    ///   - endpoint: the endpoint that answered; a 429 when the budget left cannot pay for it means the
    ///     daily budget is spent.
    public mutating func recordResponse(
        status: Int, headers: [String: String], for endpoint: PipedriveEndpoint? = nil, at now: Date
    ) {
        let header = Headers(headers)
        if let limit = header.int("x-ratelimit-limit"), limit > 0 { burstLimit = limit }
        if let remaining = header.int("x-ratelimit-remaining") {
            windowRemaining = remaining
            windowResetAt = header.seconds("x-ratelimit-reset").map { now.addingTimeInterval($0) }
        }
        if let limit = header.int("x-daily-ratelimit-token-limit") { dailyTokenLimit = limit }
        if let remaining = header.int("x-daily-ratelimit-token-remaining") {
            dailyTokensRemaining = remaining
            if let seconds = header.seconds("x-daily-ratelimit-token-reset") {
                dailyResetAt = now.addingTimeInterval(seconds)
            } else if dailyResetAt == nil || dailyResetAt.map({ $0 <= now }) == true {
                dailyResetAt = PipedriveTimestamp.nextMidnightUTC(after: now)
            }
        }
        guard status == 429 else {
            unexplained429s = 0
            return
        }
        if let remaining = dailyTokensRemaining, remaining < max(endpoint?.tokenCost ?? 1, 1) {
            // The daily budget cannot pay for this request: Retry-After then counts down to the reset.
            dailyTokensRemaining = 0
            if let wait = header.retryAfter(at: now) { dailyResetAt = now.addingTimeInterval(wait) }
            return
        }
        if let wait = header.retryAfter(at: now) ?? header.seconds("x-ratelimit-reset") {
            unexplained429s = 0
            pausedUntil = now.addingTimeInterval(max(wait, 0))
            return
        }
        unexplained429s += 1
        if unexplained429s >= configuration.unexplained429sMeaningBudgetExhausted {
            // Repeated 429s with nothing to go by: Pipedrive's documented behaviour for a spent budget.
            dailyTokensRemaining = 0
            dailyResetAt = PipedriveTimestamp.nextMidnightUTC(after: now)
            return
        }
        let backoff = configuration.initialBackoff.seconds * pow(2, Double(unexplained429s - 1))
        pausedUntil = now.addingTimeInterval(min(backoff, configuration.maximumBackoff.seconds))
    }

    /// Case-insensitive header lookup with Pipedrive's number formats.
    struct Headers {
        private let values: [String: String]

        init(_ headers: [String: String]) {
            var lowered: [String: String] = [:]
            for (name, value) in headers { lowered[name.lowercased()] = value }
            values = lowered
        }

        func int(_ name: String) -> Int? {
            values[name].flatMap { Int($0.trimmedOfSpaces) }
        }

        /// A non-negative number of seconds (fractions allowed).
        func seconds(_ name: String) -> Double? {
            guard let text = values[name], let value = Double(text.trimmedOfSpaces),
                value >= 0, value.isFinite
            else { return nil }
            return value
        }

        /// `Retry-After` as seconds from `now`: either delta-seconds or an HTTP date.
        func retryAfter(at now: Date) -> Double? {
            if let seconds = seconds("retry-after") { return seconds }
            guard let text = values["retry-after"] else { return nil }
            return PipedriveTimestamp.parseHTTPDate(text).map { max(0, $0.timeIntervalSince(now)) }
        }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
