/// A capture timestamp: microseconds since the Unix epoch, UTC.
public struct CaptureTime: Hashable, Comparable, Sendable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    /// Creates a time from microseconds since the Unix epoch.
    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// Creates a time from whole seconds and microseconds, as HEP and pcap carry it.
    public init(seconds: Int64, microseconds: Int64) {
        microsecondsSinceEpoch = seconds * 1_000_000 + microseconds
    }

    public static func < (lhs: CaptureTime, rhs: CaptureTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// Seconds from `self` to `later`, as a floating-point number.
    public func seconds(until later: CaptureTime) -> Double {
        Double(later.microsecondsSinceEpoch - microsecondsSinceEpoch) / 1_000_000
    }
}
