import RinglogCore

/// The daemon's event loop: takes the spool in often, and runs a batch every `events.batch_minutes`.
///
/// Spool files are taken in at every ``tick()`` (their events are durable in the outbox at once); the
/// batch runs when its time has come, so a file dropped just after a batch waits at most one batch interval.
public actor EventService {
    /// What one tick did.
    public struct TickReport: Sendable, Equatable {
        /// What the spool scan took in.
        public var intake: IntakeSummary
        /// The batch, when one ran.
        public var flush: FlushReport?
    }

    private let spool: SpoolDirectory
    private let intake: EventIntake
    private let flusher: EventFlusher
    private let clock: any EventClock
    private let batchMilliseconds: Int64
    private let scanMilliseconds: Int64
    private var nextBatchAt: Int64?

    /// Creates the loop.
    /// - Parameter scanSeconds: how often the spool is scanned (default 10 s).
    public init(
        spool: SpoolDirectory, intake: EventIntake, flusher: EventFlusher, clock: any EventClock, batchMinutes: Int,
        scanSeconds: Int = 10
    ) {
        self.spool = spool
        self.intake = intake
        self.flusher = flusher
        self.clock = clock
        batchMilliseconds = Int64(max(1, batchMinutes)) * 60_000
        scanMilliseconds = Int64(max(1, scanSeconds)) * 1000
    }

    /// Scans the spool, and runs a batch when one is due (the first one a full interval after start).
    public func tick() async throws -> TickReport {
        let clock = self.clock
        let intakeSummary = try await spool.drain(into: intake, now: { clock.now() })
        let now = clock.now()
        let due = nextBatchAt ?? (now + batchMilliseconds)
        if nextBatchAt == nil { nextBatchAt = due }
        guard now >= due else { return TickReport(intake: intakeSummary, flush: nil) }
        let report = try await flusher.flush()
        nextBatchAt = clock.now() + batchMilliseconds
        return TickReport(intake: intakeSummary, flush: report)
    }

    /// Ticks until the task is cancelled; a failing tick is reported to `onError` and retried at the next one.
    public func run(onError: @Sendable (any Error) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                _ = try await tick()
                try await clock.sleep(until: clock.now() + scanMilliseconds)
            } catch is CancellationError {
                return
            } catch {
                onError(error)
                try? await clock.sleep(until: clock.now() + scanMilliseconds)
            }
        }
    }
}
