/// What one flush did.
public struct FlushReport: Sendable, Equatable {
    /// Activities created.
    public var created = 0
    /// Events whose activity already existed from an attempt cut short (found by its marker, not sent again).
    public var reconciled = 0
    /// Events skipped by policy (unknown contact with `skip`, agent with no Pipedrive user).
    public var skipped = 0
    /// Events that failed for good (the reason is kept in the outbox).
    public var failed = 0
    /// Events that failed for now and wait for a later batch.
    public var retried = 0
    /// Events still pending after the batch (not due yet, or beyond what the batch could send).
    public var pending = 0
    /// Whether the batch stopped early because Pipedrive asked ringlog to wait (rate limit, daily budget).
    public var stoppedEarly = false

    /// Creates an empty report.
    public init() {}

    /// The report as printed by `ringlog flush`.
    public var text: String {
        var text =
            "created: \(created)\nalready in Pipedrive: \(reconciled)\nskipped: \(skipped)\nfailed: \(failed)\n"
            + "retry later: \(retried)\npending: \(pending)"
        if stoppedEarly { text += "\nthe batch stopped early: Pipedrive asked ringlog to wait" }
        return text
    }
}
