import RinglogCore

/// Reassembles fragmented IPv4 and IPv6 datagrams (a large SIP INVITE over UDP is often fragmented).
///
/// Bounded: at most ``CaptureLimits/maximumPendingFragmentedDatagrams`` datagrams wait at once (the
/// oldest is dropped), each with at most ``CaptureLimits/maximumFragmentsPerDatagram`` fragments and
/// 128 KiB of fragment data (the IP maximum is 65,535 bytes; duplicates count), and an incomplete datagram is dropped ``CaptureLimits/fragmentTimeout`` seconds
/// after its first fragment.
struct IPFragmentReassembler {
    /// What identifies the fragments of one datagram (RFC 791 / RFC 8200).
    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var protocolNumber: UInt8
    }

    /// One fragment: its offset in the original payload, its bytes, and whether more follow.
    struct Fragment {
        var offset: Int
        var bytes: ArraySlice<UInt8>
        var isLast: Bool
    }

    private struct PendingDatagram {
        var fragments: [Fragment] = []
        var totalLength: Int?
        var receivedBytes = 0
        var firstSeen: CaptureTime
        /// IPv6: the next header of the fragmentable part, taken from the fragment at offset 0.
        var nextHeader: UInt8?
    }

    private static let maximumDatagramSize = 65_535
    private let limits: CaptureLimits
    private var pending: [Key: PendingDatagram] = [:]

    /// Creates an empty reassembler.
    init(limits: CaptureLimits) {
        self.limits = limits
    }

    /// The number of incomplete datagrams held.
    var pendingCount: Int { pending.count }

    /// Adds a fragment; returns the whole payload and its next-header value when this completed a datagram.
    mutating func add(_ fragment: Fragment, key: Key, nextHeader: UInt8, at time: CaptureTime)
        -> (payload: [UInt8], nextHeader: UInt8)?
    {
        expire(at: time)
        guard fragment.offset + fragment.bytes.count <= Self.maximumDatagramSize else {
            pending[key] = nil
            return nil
        }
        if pending[key] == nil {
            if pending.count >= limits.maximumPendingFragmentedDatagrams { dropOldest() }
            pending[key] = PendingDatagram(firstSeen: time)
        }
        guard var datagram = pending[key] else { return nil }
        // Duplicates and overlaps count too, so a datagram cannot hold more than twice the IP maximum.
        guard datagram.fragments.count < limits.maximumFragmentsPerDatagram,
            datagram.receivedBytes + fragment.bytes.count <= 2 * Self.maximumDatagramSize
        else {
            pending[key] = nil
            return nil
        }
        // A copy, so that a held fragment does not keep its whole captured frame alive.
        datagram.fragments.append(
            Fragment(offset: fragment.offset, bytes: Array(fragment.bytes)[...], isLast: fragment.isLast))
        datagram.receivedBytes += fragment.bytes.count
        if fragment.isLast { datagram.totalLength = fragment.offset + fragment.bytes.count }
        if fragment.offset == 0 { datagram.nextHeader = nextHeader }
        if let total = datagram.totalLength, datagram.receivedBytes >= total,
            let next = datagram.nextHeader, let payload = Self.assemble(datagram.fragments, totalLength: total)
        {
            pending[key] = nil
            return (payload, next)
        }
        pending[key] = datagram
        return nil
    }

    /// Joins the fragments when they cover `0..<totalLength` without a hole.
    private static func assemble(_ fragments: [Fragment], totalLength: Int) -> [UInt8]? {
        var payload = [UInt8](repeating: 0, count: totalLength)
        var covered = 0
        for fragment in fragments.sorted(by: { $0.offset < $1.offset }) {
            guard fragment.offset <= covered else { return nil }
            let end = Swift.min(fragment.offset + fragment.bytes.count, totalLength)
            if end > covered {
                let skip = covered - fragment.offset
                let source = fragment.bytes.dropFirst(skip).prefix(end - covered)
                payload.replaceSubrange(covered..<end, with: source)
                covered = end
            }
        }
        return covered == totalLength ? payload : nil
    }

    private mutating func expire(at time: CaptureTime) {
        let timeout = limits.fragmentTimeout * 1_000_000
        if pending.isEmpty { return }
        guard pending.values.contains(where: { time.microsecondsApart(from: $0.firstSeen) > timeout }) else { return }
        pending = pending.filter { _, datagram in time.microsecondsApart(from: datagram.firstSeen) <= timeout }
    }

    private mutating func dropOldest() {
        guard let oldest = pending.min(by: { $0.value.firstSeen < $1.value.firstSeen })?.key else { return }
        pending[oldest] = nil
    }
}
