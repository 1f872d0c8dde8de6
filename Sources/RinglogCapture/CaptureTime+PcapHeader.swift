import RinglogCore

extension CaptureTime {
    /// The time of a pcap record: whole seconds plus a fraction in micro- or nanoseconds.
    ///
    /// Saturates instead of trapping: a damaged file can carry any 64-bit second count, which
    /// `CaptureTime(seconds:microseconds:)` would overflow on.
    init(pcapSeconds seconds: Int64, fraction: Int64, fractionIsNanoseconds: Bool) {
        let microseconds = fractionIsNanoseconds ? fraction / 1000 : fraction
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow {
            self.init(microsecondsSinceEpoch: seconds < 0 ? .min : .max)
        } else {
            let (sum, sumOverflow) = scaled.addingReportingOverflow(microseconds)
            self.init(microsecondsSinceEpoch: sumOverflow ? (scaled < 0 ? .min : .max) : sum)
        }
    }
}

extension CaptureTime {
    /// The distance in microseconds between two times, ignoring direction and saturating at `Int64.max`
    /// (capture times from damaged files can be anything).
    func microsecondsApart(from other: CaptureTime) -> Int64 {
        let (difference, overflow) = microsecondsSinceEpoch.subtractingReportingOverflow(other.microsecondsSinceEpoch)
        if overflow || difference == .min { return .max }
        return Swift.abs(difference)
    }
}
