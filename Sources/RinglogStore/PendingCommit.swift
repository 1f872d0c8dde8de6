import Synchronization
import class RinglogCore.Locked

/// The result of one ``OutboxGroupCommit/submit(_:now:)``: available once the commit that carried it ended.
public final class PendingCommit: Sendable {
    private enum State {
        case waiting([CheckedContinuation<[Outbox.EnqueueResult], any Error>])
        case finished(Result<[Outbox.EnqueueResult], any Error>)
    }

    private let state = Locked(State.waiting([]))

    init() {}

    /// Waits until the items are committed; one result per submitted item, in order.
    /// - Throws: the outbox's error when the commit failed; then none of the items was stored.
    public func results() async throws -> [Outbox.EnqueueResult] {
        try await withCheckedThrowingContinuation { continuation in
            let finished = state.withLock { state -> Result<[Outbox.EnqueueResult], any Error>? in
                switch state {
                case .waiting(let continuations):
                    state = .waiting(continuations + [continuation])
                    return nil
                case .finished(let result):
                    return result
                }
            }
            if let finished { continuation.resume(with: finished) }
        }
    }

    func finish(_ result: Result<[Outbox.EnqueueResult], any Error>) {
        let continuations = state.withLock { state -> [CheckedContinuation<[Outbox.EnqueueResult], any Error>] in
            guard case .waiting(let continuations) = state else { return [] }
            state = .finished(result)
            return continuations
        }
        for continuation in continuations { continuation.resume(with: result) }
    }
}
