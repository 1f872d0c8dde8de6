/// When each request of an event batch goes out, so a batch of any size stays inside Pipedrive's rolling
/// burst window and leaves room for the calls the daemon writes with the same token.
///
/// Pure: times are milliseconds from the start of the batch. Requests are spread evenly, one every
/// ``interval`` milliseconds; any window of ``Limits/windowMilliseconds`` then holds at most
/// ``Limits/requestsPerWindow`` of them, however long the batch is.
public struct BatchPacingPlan: Sendable, Equatable {
    /// Pipedrive's limits as ringlog uses them.
    public struct Limits: Sendable, Equatable {
        /// Requests Pipedrive allows per window for the token (20 per 2 s for an API token on Lite).
        public var burstLimit: Int
        /// The rolling window, in milliseconds (2,000).
        public var windowMilliseconds: Int64
        /// Requests per window left free for other work (calls, directory syncs).
        public var reservedPerWindow: Int
        /// Tokens one event costs: `POST /api/v2/activities` is 5.
        public var tokensPerEvent: Int

        /// Creates limits: 20 per 2 s with 4 kept free, 5 tokens per event by default.
        public init(
            burstLimit: Int = 20, windowMilliseconds: Int64 = 2_000, reservedPerWindow: Int = 4, tokensPerEvent: Int = 5
        ) {
            self.burstLimit = burstLimit
            self.windowMilliseconds = windowMilliseconds
            self.reservedPerWindow = reservedPerWindow
            self.tokensPerEvent = tokensPerEvent
        }

        /// Requests per window the batch may use: at least 1.
        public var requestsPerWindow: Int { Swift.max(1, burstLimit - Swift.max(0, reservedPerWindow)) }
    }

    /// The limits the plan follows.
    public var limits: Limits
    /// Events sent in this batch.
    public var eventsInBatch: Int
    /// Events left for a later batch because the daily token budget cannot pay for them today.
    public var eventsDeferred: Int

    /// Plans a batch of `eventCount` events.
    /// - Parameter tokenBudget: tokens the batch may spend (what is left of the daily budget, minus a reserve),
    ///   or `nil` when unknown.
    public init(eventCount: Int, limits: Limits = Limits(), tokenBudget: Int? = nil) {
        self.limits = limits
        let count = Swift.max(0, eventCount)
        let affordable = tokenBudget.map { Swift.max(0, $0) / Swift.max(1, limits.tokensPerEvent) } ?? count
        eventsInBatch = Swift.min(count, affordable)
        eventsDeferred = count - eventsInBatch
    }

    /// Milliseconds between two requests: the window divided by the requests it may hold, rounded up.
    public var interval: Int64 {
        let perWindow = Int64(limits.requestsPerWindow)
        return (limits.windowMilliseconds + perWindow - 1) / perWindow
    }

    /// When the request for event `index` (0-based) goes out, when every event takes one request.
    public func sendOffset(ofEvent index: Int) -> Int64 { Int64(Swift.max(0, index)) * interval }

    /// How long the batch takes, from the first request to the last.
    public var durationMilliseconds: Int64 { eventsInBatch > 0 ? sendOffset(ofEvent: eventsInBatch - 1) : 0 }

    /// Events per minute at this pace.
    public var eventsPerMinute: Int { Int(60_000 / interval) }

    /// Tokens the batch spends.
    public var tokens: Int { eventsInBatch * limits.tokensPerEvent }

    /// The most requests of the batch that fall into any window of the limits' length: never above
    /// ``Limits/requestsPerWindow``.
    public var busiestWindow: Int {
        guard eventsInBatch > 0 else { return 0 }
        let fit = Int((limits.windowMilliseconds + interval - 1) / interval)
        return Swift.min(eventsInBatch, fit)
    }
}

/// Hands out send times one request at a time, at the plan's interval: what the flush worker asks before
/// each request (activity or lookup), so lookups after a crash are paced too.
public struct RequestPacer: Sendable, Equatable {
    /// Milliseconds between two requests.
    public let interval: Int64
    private var nextAllowed: Int64?

    /// Creates a pacer for `plan`.
    public init(plan: BatchPacingPlan) {
        interval = plan.interval
    }

    /// Creates a pacer with `interval` milliseconds between requests.
    public init(interval: Int64) {
        self.interval = Swift.max(0, interval)
    }

    /// The time (ms) the next request may go out, given that it is `now`; books that slot.
    public mutating func reserveSlot(now: Int64) -> Int64 {
        let slot = Swift.max(now, nextAllowed ?? now)
        nextAllowed = slot + interval
        return slot
    }
}
