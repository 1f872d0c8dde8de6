/// How long the outbox keeps finished items (the `outbox` block).
///
/// Every call ever queued stays an outbox row until it is removed: without a limit the outbox grows by every
/// call logged, for as long as the daemon runs. Items written (`done`) or skipped by policy are removed this
/// many days after they finished; failed items stay until someone looks at them.
public struct OutboxSettings: Sendable, Equatable {
    /// Days a `done` or `skipped` item is kept after it finished; 0 removes it at the next clean-up (every minute).
    public var keepDoneDays: Int

    /// The configuration keys of the block.
    public static let keys = ["keep_done_days"]

    /// Creates outbox settings: 30 days by default.
    public init(keepDoneDays: Int = 30) {
        self.keepDoneDays = keepDoneDays
    }

    /// The time before which finished items are removed, in milliseconds since the Unix epoch.
    public func removalCutoff(nowMilliseconds: Int64) -> Int64 {
        nowMilliseconds - Int64(keepDoneDays) * 86_400_000
    }
}

extension OutboxSettings {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(Self.keys)
        self.init(keepDoneDays: try object.integer("keep_done_days", in: 0...3650) ?? OutboxSettings().keepDoneDays)
    }
}
