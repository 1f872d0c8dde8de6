/// When to try a failed delivery again: exponential backoff with jitter, capped.
///
/// Pure: the random part is passed in, so tests need neither a clock nor a random generator.
public struct RetryPolicy: Sendable, Equatable {
    /// The delay after the first failure, in milliseconds.
    public var initialDelayMilliseconds: Int64
    /// The longest delay, in milliseconds.
    public var maximumDelayMilliseconds: Int64
    /// The fraction of the delay that is randomised (0 – 1): 0.2 gives ±20 %.
    public var jitterFraction: Double

    /// Creates a policy: 2 s doubling up to 10 minutes, ±20 % by default.
    public init(
        initialDelayMilliseconds: Int64 = 2_000, maximumDelayMilliseconds: Int64 = 600_000, jitterFraction: Double = 0.2
    ) {
        self.initialDelayMilliseconds = initialDelayMilliseconds
        self.maximumDelayMilliseconds = maximumDelayMilliseconds
        self.jitterFraction = jitterFraction
    }

    /// The delay before the next attempt after `failedAttempts` failures (1 or more).
    /// - Parameter unitRandom: a random number in 0..<1.
    public func delayMilliseconds(afterFailedAttempts failedAttempts: Int, unitRandom: Double) -> Int64 {
        let exponent = Swift.max(0, Swift.min(failedAttempts - 1, 30))
        let base = Swift.min(maximumDelayMilliseconds, initialDelayMilliseconds << Int64(exponent))
        let jitter = (unitRandom * 2 - 1) * jitterFraction * Double(base)
        return Swift.max(0, Swift.min(maximumDelayMilliseconds, base + Int64(jitter)))
    }
}
