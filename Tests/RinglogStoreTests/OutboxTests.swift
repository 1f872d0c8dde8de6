import Foundation
import RinglogStore
import Testing

@Suite("Outbox")
struct OutboxTests {
    private final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-outbox-\(UUID().uuidString)")
            .path
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    private func payload(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("the same key enqueued twice stays one item")
    func deduplicates() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        let first = try await outbox.enqueue(kind: "call", key: "call-1", payload: payload("{}"), now: 1_000)
        let second = try await outbox.enqueue(kind: "call", key: "call-1", payload: payload("{\"x\":1}"), now: 2_000)
        guard case .added(let id) = first else {
            Issue.record("expected a new item, got \(first)")
            return
        }
        #expect(second == .duplicate(id: id))
        #expect(try await outbox.counts(kind: "call") == [.pending: 1])
        #expect(try await outbox.item(key: "call-1")?.payload == payload("{}"))
    }

    @Test("claiming marks sending; done, retry and failure keep their data")
    func lifecycle() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        _ = try await outbox.enqueue(kind: "call", key: "a", payload: payload("A"), now: 1_000)
        _ = try await outbox.enqueue(kind: "call", key: "b", payload: payload("B"), now: 1_001)
        _ = try await outbox.enqueue(kind: "event", key: "e", payload: payload("E"), now: 1_002)

        let a = try #require(try await outbox.claimNext(kind: "call", now: 5_000))
        #expect(a.key == "a")
        #expect(a.state == .sending)
        try await outbox.markRetry(a.id, error: "HTTP 503", notBefore: 9_000, now: 5_001)

        let b = try #require(try await outbox.claimNext(kind: "call", now: 5_002))
        #expect(b.key == "b")
        try await outbox.markDone(b.id, result: #"{"call_log_id":"abc"}"#, now: 5_003)

        // a is not due before 9000.
        #expect(try await outbox.claimNext(kind: "call", now: 8_999) == nil)
        let again = try #require(try await outbox.claimNext(kind: "call", now: 9_000))
        #expect(again.key == "a")
        #expect(again.attempts == 1)
        #expect(again.lastError == "HTTP 503")
        try await outbox.markFailed(again.id, reason: "HTTP 400: to_phone_number is required", now: 9_001)

        #expect(try await outbox.counts(kind: "call") == [.done: 1, .failed: 1])
        #expect(try await outbox.counts(kind: "event") == [.pending: 1])
        #expect(
            try await outbox.failures(kind: "call", limit: 5).map(\.lastError) == [
                "HTTP 400: to_phone_number is required"
            ])
        #expect(try await outbox.item(key: "b")?.result == #"{"call_log_id":"abc"}"#)
    }

    @Test("a restart finds accepted items, and items cut while sending")
    func survivesRestart() async throws {
        let scratch = Scratch()
        do {
            let outbox = try Outbox(directory: scratch.path)
            _ = try await outbox.enqueue(kind: "call", key: "a", payload: payload("A"), now: 1)
            _ = try await outbox.enqueue(kind: "call", key: "b", payload: payload("B"), now: 2)
            _ = try await outbox.claimNext(kind: "call", now: 3)
        }
        let reopened = try Outbox(directory: scratch.path)
        #expect(try await reopened.interruptedItems(kind: "call").map(\.key) == ["a"])
        #expect(try await reopened.counts(kind: "call") == [.sending: 1, .pending: 1])
        #expect(try await reopened.enqueue(kind: "call", key: "a", payload: payload("A"), now: 4) == .duplicate(id: 1))
    }

    @Test("state files are created owner-only")
    func fileModes() async throws {
        let scratch = Scratch()
        let outbox = try Outbox(directory: scratch.path)
        _ = try await outbox.enqueue(kind: "call", key: "a", payload: payload("A"), now: 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        #expect(files.contains("outbox.sqlite"))
        for file in files {
            let mode =
                try FileManager.default.attributesOfItem(atPath: "\(scratch.path)/\(file)")[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) has mode \(String(mode ?? 0, radix: 8))")
        }
        let directoryMode = try FileManager.default.attributesOfItem(atPath: scratch.path)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
    }

    @Test("an unwritable state directory gives an error that says what to check")
    func unwritableDirectory() throws {
        #expect {
            try Outbox(directory: "/proc/ringlog-cannot-exist")
        } throws: { _ in true }
    }
}
