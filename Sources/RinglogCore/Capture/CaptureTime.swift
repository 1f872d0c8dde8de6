/// A capture timestamp: microseconds since the Unix epoch, UTC.
public struct CaptureTime: Hashable, Comparable, Sendable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    /// Creates a time from microseconds since the Unix epoch.
    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// Creates a time from whole seconds and microseconds, as HEP and pcap carry it.
    ///
    /// Values come from untrusted packets and files, so the arithmetic saturates instead of trapping:
    /// an absurd timestamp becomes the earliest or latest representable time.
    public init(seconds: Int64, microseconds: Int64) {
        let (scaled, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflowed else {
            microsecondsSinceEpoch = seconds < 0 ? .min : .max
            return
        }
        let (sum, sumOverflowed) = scaled.addingReportingOverflow(microseconds)
        microsecondsSinceEpoch = sumOverflowed ? (microseconds < 0 ? .min : .max) : sum
    }

    public static func < (lhs: CaptureTime, rhs: CaptureTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// Seconds from `self` to `later`, as a floating-point number.
    public func seconds(until later: CaptureTime) -> Double {
        Double(later.microsecondsSinceEpoch - microsecondsSinceEpoch) / 1_000_000
    }
}
