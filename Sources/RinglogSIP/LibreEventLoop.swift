import CRe
import Foundation
import RinglogCore
import Synchronization

/// libre's event loop (`re_main`) on a dedicated thread, owning one `Core` object.
///
/// libre 1.1.0 keeps its loop state (timers, polled sockets) per thread once `re_thread_init` has run
/// there, and its objects must be used from the thread that created them. So the core is created on
/// the loop thread, lives there, and is only reached through ``post(_:ifStopped:)``: the job is queued
/// under a lock and the loop is woken with `mqueue_push`, libre's thread-safe message queue (it writes
/// to a pipe the loop polls). Blocking libre calls therefore never run on Swift's cooperative pool.
final class LibreEventLoop<Core: AnyObject>: Sendable {
    /// Work for the loop thread, and what to do instead if the loop has stopped before running it.
    struct Job: Sendable {
        let run: @Sendable (Core) -> Void
        let cancel: @Sendable () -> Void
    }

    /// libre's `struct mqueue *`.
    ///
    /// `@unchecked Sendable`: `mqueue_push` is libre's cross-thread entry point (it writes to a pipe);
    /// the loop thread frees the queue only after taking it out of the inbox under the inbox lock, and
    /// pushes happen only under that lock, so no thread pushes to a freed queue.
    private struct MessageQueue: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private struct Inbox {
        var jobs: [Job] = []
        /// `nil` before the loop is ready and after it stopped.
        var wakeup: MessageQueue?
        var stopped = false
    }

    /// Whether the loop thread has ended, and who waits for it.
    private enum Completion {
        case running(waiters: [CheckedContinuation<Void, Never>])
        case finished
    }

    private let inbox = Locked(Inbox())
    private let closeCore: @Sendable (Core) -> Void
    private let completion = Locked(Completion.running(waiters: []))

    /// Starts the thread, creates the core there with `makeCore`, and returns once the loop runs.
    /// - Parameter close: called on the loop thread when the loop stops, to release the core's libre
    ///   objects while libre's thread state still exists. It may run twice and must be idempotent.
    init(
        name: String,
        makeCore: @escaping @Sendable () throws(SIPUserAgentError) -> Core,
        close: @escaping @Sendable (Core) -> Void
    ) async throws(SIPUserAgentError) {
        closeCore = close
        let started: Result<Void, SIPUserAgentError> = await withCheckedContinuation { ready in
            DedicatedThread.start(name: name) { [self] in
                runLoop(makeCore: makeCore, ready: ready)
            }
        }
        try started.get()
    }

    /// Queues `run` for the loop thread; when the loop has stopped, calls `ifStopped` instead (at once,
    /// or when the loop stops before reaching the job).
    func post(_ run: @escaping @Sendable (Core) -> Void, ifStopped: @escaping @Sendable () -> Void) {
        let job = Job(run: run, cancel: ifStopped)
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopped, let wakeup = inbox.wakeup else { return false }
            inbox.jobs.append(job)
            // A wake-up drains every queued job, so only the first job of an empty queue sends one;
            // the pipe behind mqueue therefore never fills up.
            if inbox.jobs.count == 1, mqueue_push(wakeup.pointer, 0, nil) != 0 {
                inbox.jobs.removeAll()
                return false
            }
            return true
        }
        if !accepted { ifStopped() }
    }

    /// Closes the core and stops the loop, then waits until the thread is done.
    func stop() async {
        requestStop()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = completion.withLock { completion -> Bool in
                guard case .running(let waiters) = completion else { return true }
                completion = .running(waiters: waiters + [continuation])
                return false
            }
            if finished { continuation.resume() }
        }
    }

    /// Closes the core and stops the loop, without waiting.
    func requestStop() {
        post(
            { [closeCore] core in
                closeCore(core)
                re_cancel()
            }, ifStopped: {})
    }

    private func runLoop(
        makeCore: @Sendable () throws(SIPUserAgentError) -> Core,
        ready: CheckedContinuation<Result<Void, SIPUserAgentError>, Never>
    ) {
        defer { markFinished() }
        guard libreInitialization == 0 else {
            inbox.withLock { $0.stopped = true }
            ready.resume(returning: .failure(.libre(operation: "libre_init", errno: libreInitialization)))
            return
        }
        let threadError = re_thread_init()
        guard threadError == 0 else {
            inbox.withLock { $0.stopped = true }
            ready.resume(returning: .failure(.libre(operation: "re_thread_init", errno: threadError)))
            return
        }
        defer { re_thread_close() }
        let core: Core
        do {
            core = try makeCore()
        } catch {
            inbox.withLock { $0.stopped = true }
            ready.resume(returning: .failure(error))
            return
        }
        let drainer = Unmanaged.passRetained(
            JobDrainer { [self] in
                for job in takeJobs() { job.run(core) }
            })
        defer { drainer.release() }
        var wakeup: OpaquePointer?
        let queueError = mqueue_alloc(
            &wakeup,
            { _, _, context in
                guard let context else { return }
                Unmanaged<JobDrainer>.fromOpaque(context).takeUnretainedValue().drain()
            }, drainer.toOpaque())
        guard queueError == 0, let wakeup = wakeup.map(MessageQueue.init) else {
            closeCore(core)
            inbox.withLock { $0.stopped = true }
            ready.resume(returning: .failure(.libre(operation: "mqueue_alloc", errno: queueError)))
            return
        }
        inbox.withLock { $0.wakeup = wakeup }
        ready.resume(returning: .success(()))

        _ = re_main(nil)  // returns after a job called re_cancel()

        let leftovers = inbox.withLock { inbox -> [Job] in
            inbox.stopped = true
            inbox.wakeup = nil
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
        for job in leftovers { job.cancel() }
        closeCore(core)
        _ = mem_deref(UnsafeMutableRawPointer(wakeup.pointer))
    }

    private func takeJobs() -> [Job] {
        inbox.withLock { inbox in
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
    }

    private func markFinished() {
        let waiters = completion.withLock { completion -> [CheckedContinuation<Void, Never>] in
            defer { completion = .finished }
            guard case .running(let waiters) = completion else { return [] }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The result of `libre_init`, run once per process on first use (Swift initialises globals lazily and
/// exactly once). In libre 1.1.0 it seeds the random-number helper (Call-IDs, tags, branches) and sets
/// up OpenSSL and sockets; it touches no event-loop state, so any thread may run it.
private let libreInitialization: Int32 = libre_init()

/// The mqueue handler's context: drains the job queue on the loop thread. Confined to that thread.
private final class JobDrainer {
    let drain: () -> Void

    init(drain: @escaping () -> Void) {
        self.drain = drain
    }
}
