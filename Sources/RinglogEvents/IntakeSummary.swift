/// What taking in one input (a spool file or stdin) did.
public struct IntakeSummary: Sendable, Equatable {
    /// One refused line.
    public struct Rejection: Sendable, Equatable {
        /// The 1-based line number (0: the file as a whole).
        public var lineNumber: Int
        /// Why.
        public var reason: String
    }

    /// New events queued.
    public var accepted = 0
    /// Events already queued before (same kind and id): nothing changed.
    public var duplicates = 0
    /// Lines refused (all of them written to the rejected file).
    public var rejected = 0
    /// The first refusals with their reasons, for the command's summary (at most ``maximumListedRejections``).
    public var rejections: [Rejection] = []

    /// How many refusals ``rejections`` lists.
    public static let maximumListedRejections = 100

    /// Creates an empty summary.
    public init() {}

    /// Adds another summary's counts.
    public mutating func add(_ other: IntakeSummary) {
        accepted += other.accepted
        duplicates += other.duplicates
        rejected += other.rejected
        rejections += other.rejections.prefix(Self.maximumListedRejections - rejections.count)
    }

    /// The summary as printed by `ringlog event add`.
    public var text: String {
        var lines = ["accepted: \(accepted)", "duplicates: \(duplicates)", "rejected: \(rejected)"]
        for rejection in rejections { lines.append("  line \(rejection.lineNumber): \(rejection.reason)") }
        if rejected > rejections.count { lines.append("  … and \(rejected - rejections.count) more") }
        return lines.joined(separator: "\n")
    }
}
