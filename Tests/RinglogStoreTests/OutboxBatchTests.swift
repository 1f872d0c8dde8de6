import Foundation
import RinglogStore
import Testing

@Suite("Outbox batches and group commit")
struct OutboxBatchTests {
    private final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-batch-\(UUID().uuidString)")
            .path
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    private func item(_ key: String, _ payload: String = "{}") -> Outbox.NewItem {
        Outbox.NewItem(kind: "call", key: key, payload: Array(payload.utf8))
    }

    @Test("a batch stores every new key once, in order, with one result per item")
    func storesBatch() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        let results = try await outbox.enqueue([item("a", "A"), item("b", "B"), item("c", "C")], now: 1_000)
        #expect(results == [.added(id: 1), .added(id: 2), .added(id: 3)])
        #expect(try await outbox.counts(kind: "call") == [.pending: 3])
        #expect(try await outbox.item(key: "b")?.payload == Array("B".utf8))
        let first = try #require(try await outbox.claimNext(kind: "call", now: 1_000))
        #expect(first.key == "a")
    }

    @Test("a key twice in one batch stays one item; the first payload wins")
    func duplicatesWithinBatch() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        let results = try await outbox.enqueue([item("a", "first"), item("b"), item("a", "second")], now: 1)
        #expect(results == [.added(id: 1), .added(id: 2), .duplicate(id: 1)])
        #expect(try await outbox.counts(kind: "call") == [.pending: 2])
        #expect(try await outbox.item(key: "a")?.payload == Array("first".utf8))
    }

    @Test("keys of an earlier batch, or of a single enqueue, are duplicates in a later batch")
    func duplicatesAcrossBatches() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        _ = try await outbox.enqueue(kind: "call", key: "single", payload: Array("S".utf8), now: 1)
        _ = try await outbox.enqueue([item("a"), item("b")], now: 2)
        let results = try await outbox.enqueue([item("b"), item("c"), item("single"), item("a")], now: 3)
        #expect(results == [.duplicate(id: 3), .added(id: 4), .duplicate(id: 1), .duplicate(id: 2)])
        #expect(try await outbox.counts(kind: "call") == [.pending: 4])
        #expect(try await outbox.enqueue([], now: 4) == [])
    }

    @Test("a batch that fails half-way stores none of its items")
    func failingBatchStoresNone() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        _ = try await outbox.enqueue([item("before")], now: 1)
        // A second connection installs a trigger that rejects one key, so the batch fails in its middle.
        let other = try SQLiteDatabase(path: "\(scratch.path)/outbox.sqlite")
        try other.execute(
            """
            CREATE TRIGGER reject_poison BEFORE INSERT ON outbox WHEN NEW.key = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poison rejected'); END;
            """)
        await #expect(throws: SQLiteError.self) {
            try await outbox.enqueue([item("x"), item("y"), item("poison"), item("z")], now: 2)
        }
        #expect(try await outbox.counts(kind: "call") == [.pending: 1])
        for key in ["x", "y", "poison", "z"] {
            #expect(try await outbox.item(key: key) == nil)
        }
        // The outbox still works, and the same calls can be accepted later.
        #expect(try await outbox.enqueue([item("x"), item("y")], now: 3) == [.added(id: 2), .added(id: 3)])
    }

    @Test("an empty payload is stored as an empty blob")
    func emptyPayload() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        #expect(try await outbox.enqueue([item("empty", "")], now: 1) == [.added(id: 1)])
        #expect(try await outbox.item(key: "empty")?.payload == [])
    }

    @Test("group commit: concurrent submissions all become durable, each key once")
    func groupCommitConcurrent() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        let groupCommit = OutboxGroupCommit(outbox: outbox)
        let submissions = 50
        let perSubmission = 20
        let results = try await withThrowingTaskGroup(of: [Outbox.EnqueueResult].self) { group in
            for submission in 0..<submissions {
                let items = (0..<perSubmission).map { item("call-\(submission)-\($0)") }
                group.addTask { try await groupCommit.enqueue(items, now: Int64(submission)) }
            }
            // A key submitted again while the first copy may still be waiting: one item, one duplicate.
            group.addTask { try await groupCommit.enqueue([item("call-0-0")], now: 99) }
            var all: [[Outbox.EnqueueResult]] = []
            for try await result in group { all.append(result) }
            return all
        }
        let flat = results.flatMap { $0 }
        #expect(flat.count == submissions * perSubmission + 1)
        let added = flat.filter { if case .added = $0 { true } else { false } }
        #expect(added.count == submissions * perSubmission)
        #expect(try await outbox.counts(kind: "call") == [.pending: submissions * perSubmission])
        // Reopened (as after a crash): everything acknowledged is there.
        let reopened = try Outbox(directory: scratch.path)
        #expect(try await reopened.counts(kind: "call") == [.pending: submissions * perSubmission])
    }

    @Test("group commit: submissions keep their order, and a bad submission fails alone")
    func groupCommitOrderAndIsolation() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        let other = try SQLiteDatabase(path: "\(scratch.path)/outbox.sqlite")
        try other.execute(
            """
            CREATE TRIGGER reject_poison BEFORE INSERT ON outbox WHEN NEW.key = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poison rejected'); END;
            """)
        let groupCommit = OutboxGroupCommit(outbox: outbox)
        let pending = [
            groupCommit.submit([item("a"), item("b")], now: 1),
            groupCommit.submit([item("c"), item("poison")], now: 2),
            groupCommit.submit([item("d")], now: 3),
        ]
        #expect(try await pending[0].results() == [.added(id: 1), .added(id: 2)])
        await #expect(throws: SQLiteError.self) { try await pending[1].results() }
        #expect(try await pending[2].results() == [.added(id: 3)])
        // Asking twice gives the same answer.
        #expect(try await pending[0].results() == [.added(id: 1), .added(id: 2)])
        #expect(try await outbox.item(key: "c") == nil)
        var order: [String] = []
        while let next = try await outbox.claimNext(kind: "call", now: 10) { order.append(next.key) }
        #expect(order == ["a", "b", "d"])
    }
}
