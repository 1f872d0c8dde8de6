import Synchronization
import class RinglogCore.Locked

/// Group commit in front of an ``Outbox``: items submitted while a commit is in flight go together in the
/// next commit, so a burst of finished calls costs a few fsyncs, not one per call.
///
/// ``submit(_:now:)`` only queues (in call order) and returns at once, so the caller (the call tracker's
/// loop) keeps reading packets while the disk works; ``PendingCommit/results()`` waits until the items
/// are durable. One commit is in flight at a time. A commit that fails is retried one submission at a
/// time, so one bad submission fails alone and the others are still stored.
public final class OutboxGroupCommit: Sendable {
    private struct Waiting {
        var items: [Outbox.NewItem]
        var now: Int64
        var commit: PendingCommit
    }

    private struct State {
        var waiting: [Waiting] = []
        var committing = false
    }

    private let outbox: Outbox
    private let state = Locked(State())

    /// Commits into `outbox`.
    public init(outbox: Outbox) {
        self.outbox = outbox
    }

    /// Queues `items` for the next commit and returns at once; await the result's
    /// ``PendingCommit/results()`` to know they are durable.
    /// - Parameter now: milliseconds since the Unix epoch, stored as the items' creation time.
    public func submit(_ items: [Outbox.NewItem], now: Int64) -> PendingCommit {
        let commit = PendingCommit()
        let startsCommitter = state.withLock { state -> Bool in
            state.waiting.append(Waiting(items: items, now: now, commit: commit))
            guard !state.committing else { return false }
            state.committing = true
            return true
        }
        if startsCommitter {
            // Unstructured on purpose: the commit must finish even when the submitting task is cancelled
            // (what was accepted is written); every submitter awaits its own result, so nothing is left behind.
            Task { await self.commitWaiting() }
        }
        return commit
    }

    /// Queues `items` and waits until they are durable: ``submit(_:now:)`` then ``PendingCommit/results()``.
    public func enqueue(_ items: [Outbox.NewItem], now: Int64) async throws -> [Outbox.EnqueueResult] {
        try await submit(items, now: now).results()
    }

    private func commitWaiting() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = state.waiting
                state.waiting.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.committing = false }
                return batch
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Waiting]) async {
        // All submissions of the batch in one transaction, stamped with the newest submission time.
        let now = batch.map(\.now).max() ?? 0
        do {
            let results = try await outbox.enqueue(batch.flatMap(\.items), now: now)
            var offset = 0
            for waiting in batch {
                let count = waiting.items.count
                waiting.commit.finish(.success(Array(results[offset..<offset + count])))
                offset += count
            }
        } catch {
            guard batch.count > 1 else {
                batch.first?.commit.finish(.failure(error))
                return
            }
            // Nothing of the batch was stored: each submission on its own, so only the bad one fails.
            for waiting in batch {
                do {
                    waiting.commit.finish(.success(try await outbox.enqueue(waiting.items, now: waiting.now)))
                } catch {
                    waiting.commit.finish(.failure(error))
                }
            }
        }
    }
}
