@preconcurrency import Dispatch

/// Runs an actor's jobs on one Dispatch queue instead of the cooperative pool, so the actor may make
/// blocking calls (SQLite, fsync) without stalling unrelated tasks.
public final class SerialQueueExecutor: SerialExecutor, @unchecked Sendable {
    // Invariant: the only stored property is a DispatchQueue, which is thread-safe.
    private let queue: DispatchQueue

    /// Creates an executor with its own serial queue.
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
