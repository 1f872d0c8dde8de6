import Synchronization
import class RinglogCore.Locked

/// Wakes idle outbox workers as soon as new work is committed, instead of letting them poll.
///
/// A worker reads ``generation`` before it looks for work, and when it found none waits with
/// ``wait(after:atMost:)``: a ``signal()`` in between is not missed, because the generation moved on.
final class WorkSignal: Sendable {
    private struct State {
        var generation = 0
        var nextWaiterID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Locked(State())

    /// Counts signals; pass it to ``wait(after:atMost:)``.
    var generation: Int { state.withLock { $0.generation } }

    /// Wakes every waiting worker.
    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when a signal came after `generation` was read, after `timeout`, or when the task is cancelled.
    func wait(after generation: Int, atMost timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal(after: generation) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(after generation: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID &+= 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
