import RinglogCore
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    private let policy = RetryPolicy(
        initialDelayMilliseconds: 2_000, maximumDelayMilliseconds: 600_000, jitterFraction: 0.2)

    @Test(
        "doubles from the initial delay, without jitter at the midpoint",
        arguments: [
            (1, 2_000), (2, 4_000), (3, 8_000), (8, 256_000), (9, 512_000), (10, 600_000), (60, 600_000),
        ])
    func backoff(attempts: Int, expected: Int64) {
        #expect(policy.delayMilliseconds(afterFailedAttempts: attempts, unitRandom: 0.5) == expected)
    }

    @Test("jitter stays within the fraction and under the cap")
    func jitter() {
        #expect(policy.delayMilliseconds(afterFailedAttempts: 1, unitRandom: 0) == 1_600)
        #expect(policy.delayMilliseconds(afterFailedAttempts: 1, unitRandom: 0.999_999) == 2_399)
        #expect(policy.delayMilliseconds(afterFailedAttempts: 20, unitRandom: 0.999_999) == 600_000)
    }
}
