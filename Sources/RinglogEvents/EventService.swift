import RinglogCore

/// The daemon's event loop: takes the spool in often, and runs a batch every `events.batch_minutes`.
///
/// Spool files are taken in at every ``tick()`` (their events are durable in the outbox at once); the
/// batch runs when its time has come, so a file dropped just after a batch waits at most one batch interval.
/// While another process holds the flush lock (`ringlog flush`), the batch waits for the next tick.
public actor EventService {
    /// What one tick did.
    public struct TickReport: Sendable, Equatable {
        /// What the spool scan took in.
        public var intake: IntakeSummary
        /// The batch, when one ran.
        public var flush: FlushReport?
        /// Whether a batch was due but another process held the flush lock (it runs at a later tick).
        public var flushDeferred = false
    }

    private let spool: SpoolDirectory
    private let intake: EventIntake
    private let flusher: EventFlusher
    private let clock: any EventClock
    private var batchMilliseconds: Int64
    private let scanMilliseconds: Int64
    /// When the current interval began: the first tick, or the end of the last batch.
    private var intervalStart: Int64?

    /// Creates the loop.
    /// - Parameters:
    ///   - batchInterval: the time between batches (at least 100 ms).
    ///   - scanInterval: how often the spool is scanned (at least 100 ms); a batch due sooner wakes the loop sooner.
    public init(
        spool: SpoolDirectory, intake: EventIntake, flusher: EventFlusher, clock: any EventClock,
        batchInterval: Duration, scanInterval: Duration = .seconds(10)
    ) {
        self.spool = spool
        self.intake = intake
        self.flusher = flusher
        self.clock = clock
        batchMilliseconds = Self.milliseconds(batchInterval)
        scanMilliseconds = Self.milliseconds(scanInterval)
    }

    /// Creates the loop with the interval in minutes (`events.batch_minutes`) and the scan in seconds.
    public init(
        spool: SpoolDirectory, intake: EventIntake, flusher: EventFlusher, clock: any EventClock, batchMinutes: Double,
        scanSeconds: Int = 10
    ) {
        self.init(
            spool: spool, intake: intake, flusher: flusher, clock: clock,
            batchInterval: .milliseconds(Int64((batchMinutes * 60_000).rounded())),
            scanInterval: .seconds(scanSeconds))
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(100, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Changes the time between batches (a reloaded configuration); the next batch is due one new interval
    /// after the last one.
    public func update(batchInterval: Duration) {
        batchMilliseconds = Self.milliseconds(batchInterval)
    }

    /// When the next batch is due (milliseconds since the Unix epoch), once the loop has ticked.
    public var nextBatchAt: Int64? { intervalStart.map { $0 + batchMilliseconds } }

    /// Scans the spool, and runs a batch when one is due (the first one a full interval after start).
    public func tick() async throws -> TickReport {
        var report = TickReport(intake: try await scanSpool())
        try await runBatchIfDue(&report)
        return report
    }

    /// Takes in every ready spool file.
    private func scanSpool() async throws -> IntakeSummary {
        let clock = self.clock
        let summary = try await spool.drain(into: intake, now: { clock.now() })
        if intervalStart == nil { intervalStart = clock.now() }
        return summary
    }

    /// Runs the batch when it is due, recording it (or that the flush lock was taken) in `report`.
    private func runBatchIfDue(_ report: inout TickReport) async throws {
        guard let due = nextBatchAt, clock.now() >= due else { return }
        do {
            report.flush = try await flusher.flush()
        } catch FlushLockError.busy {
            report.flushDeferred = true
            return
        }
        intervalStart = clock.now()
    }

    /// Ticks until the task is cancelled: `onTick` gets what each tick did (also the spool intake of a tick
    /// whose batch failed or was cancelled), a failing tick is reported to `onError` and tried again at the
    /// next one. Sleeps one scan interval, or less when a batch is due sooner.
    public func run(
        onTick: @Sendable (TickReport) -> Void = { _ in }, onError: @Sendable (any Error) -> Void = { _ in }
    ) async {
        while !Task.isCancelled {
            var report = TickReport(intake: IntakeSummary())
            do {
                report.intake = try await scanSpool()
                try await runBatchIfDue(&report)
                onTick(report)
            } catch is CancellationError {
                onTick(report)
                return
            } catch {
                onTick(report)
                onError(error)
            }
            // A batch that is still due (it failed, or `ringlog flush` holds the lock) waits one scan.
            let now = clock.now()
            var wake = now + scanMilliseconds
            if let due = nextBatchAt, due > now { wake = min(wake, due) }
            do { try await clock.sleep(until: wake) } catch { return }
        }
    }
}
