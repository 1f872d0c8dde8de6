import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A point on the monotonic clock (`CLOCK_MONOTONIC`, nanoseconds): deadlines and idle ages that wall-clock
/// jumps cannot move.
struct MonotonicInstant: Comparable, Sendable {
    /// Nanoseconds since an arbitrary start (the boot).
    var nanoseconds: UInt64

    /// The current instant.
    static var now: MonotonicInstant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }

    /// This instant plus `duration` (negative durations count as zero).
    func advanced(by duration: Duration) -> MonotonicInstant {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return self }
        let nanos = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow else { return MonotonicInstant(nanoseconds: .max) }
        let (sum, overflow) = nanoseconds.addingReportingOverflow(
            nanos.partialValue + UInt64(attoseconds / 1_000_000_000))
        return MonotonicInstant(nanoseconds: overflow ? .max : sum)
    }

    static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// Set once when the task waiting for an exchange is cancelled; the blocking loop checks it between waits.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// Marks the exchange cancelled.
    func cancel() { cancelled.store(true, ordering: .releasing) }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
}

/// What bounds one blocking exchange: when connecting must have finished, when everything must have
/// finished, and whether the caller gave up.
struct HTTPExchangeLimits: Sendable {
    /// Connecting (TCP and TLS handshake) fails as timed out after this instant.
    var connectDeadline: MonotonicInstant
    /// The whole exchange fails as timed out after this instant.
    var deadline: MonotonicInstant
    /// Set when the caller's task was cancelled.
    var cancellation: CancellationFlag

    /// Longest single `poll` so that cancellation is noticed promptly.
    private static let pollSliceMilliseconds: UInt64 = 100

    /// Waits until `fd` is ready for `events` (`POLLIN`/`POLLOUT`), at most until `until`.
    /// - Throws: `CancellationError` when cancelled, ``TransportFailure/timedOut`` when `until` passed.
    func wait(for events: Int32, on fd: Int32, until: MonotonicInstant) throws {
        // Bounded: each pass sleeps at most one slice, and the deadline ends the loop.
        while true {
            if cancellation.isCancelled { throw CancellationError() }
            let now = MonotonicInstant.now
            guard now < until else { throw TransportFailure.timedOut }
            let remaining = (until.nanoseconds - now.nanoseconds) / 1_000_000 + 1
            var descriptor = pollfd(fd: fd, events: Int16(events), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, Self.pollSliceMilliseconds)))
            if ready > 0 { return }
            if ready < 0, errno != EINTR {
                throw TransportFailure.other("poll failed: \(String(cString: strerror(errno)))")
            }
        }
    }
}
