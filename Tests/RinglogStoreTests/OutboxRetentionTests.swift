import Foundation
import RinglogStore
import Testing

@Suite("Outbox retention")
struct OutboxRetentionTests {
    private final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ringlog-retention-\(UUID().uuidString)"
        )
        .path
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test("items done or skipped before the cutoff are removed; failed, pending and newer ones stay")
    func removesOnlyOldFinishedItems() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        for key in ["old-done", "old-skipped", "old-failed", "new-done", "pending", "sending"] {
            _ = try await outbox.enqueue(kind: "call", key: key, payload: Array("{}".utf8), now: 1_000)
        }
        var ids: [String: Int64] = [:]
        for _ in 0..<6 {
            let item = try #require(try await outbox.claimNext(kind: "call", now: 2_000))
            ids[item.key] = item.id
        }
        try await outbox.markDone(try #require(ids["old-done"]), result: "{}", now: 3_000)
        try await outbox.markSkipped(try #require(ids["old-skipped"]), reason: "unmapped", now: 3_000)
        try await outbox.markFailed(try #require(ids["old-failed"]), reason: "refused", now: 3_000)
        try await outbox.markDone(try #require(ids["new-done"]), result: "{}", now: 9_000)
        try await outbox.markRetry(try #require(ids["pending"]), error: "503", notBefore: 3_000, now: 3_000)

        #expect(try await outbox.removeFinished(before: 5_000) == 2)
        #expect(try await outbox.item(key: "old-done") == nil)
        #expect(try await outbox.item(key: "old-skipped") == nil)
        for key in ["old-failed", "new-done", "pending", "sending"] {
            #expect(try await outbox.item(key: key) != nil, "\(key) was removed")
        }
        #expect(try await outbox.removeFinished(before: 5_000) == 0)
    }

    @Test("a key enqueued again after its item was removed is new work")
    func removedKeyIsNewWork() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        _ = try await outbox.enqueue(kind: "call", key: "c", payload: Array("{}".utf8), now: 1_000)
        let item = try #require(try await outbox.claimNext(kind: "call", now: 1_000))
        try await outbox.markDone(item.id, result: "{}", now: 1_500)
        try await outbox.removeFinished(before: 2_000)
        let again = try await outbox.enqueue(kind: "call", key: "c", payload: Array("{}".utf8), now: 3_000)
        guard case .added = again else {
            Issue.record("expected a new item, got \(again)")
            return
        }
        #expect(try await outbox.counts(kind: "call") == [.pending: 1])
    }
}
