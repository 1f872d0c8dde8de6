import Foundation
import RinglogAgent
import RinglogCore
import RinglogPipedrive
import RinglogStore
import Synchronization
import Testing

/// A Pipedrive that answers from a script: users (the token is user 1's), call-log pages and call-log writes.
final class ScriptedPipedrive: HTTPTransport {
    struct State {
        var postStatuses: [Int] = []
        var logged: [Data] = []
        var posts = 0
    }

    let state = Locked<State>(State())

    init(postStatuses: [Int]) { state.withLock { $0.postStatuses = postStatuses } }

    var posts: Int { state.withLock { $0.posts } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.url.path
        let method = request.method
        var status = 200
        var body: Any = ["success": true, "data": []]
        if path.hasSuffix("/users/me") {
            body = ["success": true, "data": ["id": 1, "name": "Aino", "email": "aino@example.com"]]
        } else if path.hasSuffix("/users") {
            body = [
                "success": true, "data": [["id": 1, "name": "Aino", "email": "aino@example.com", "active_flag": true]],
            ]
        } else if path.hasSuffix("/callLogs") && method == "POST" {
            var sent = (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]) ?? [:]
            let (next, id) = state.withLock { state -> (Int, Int) in
                state.posts += 1
                let next = state.postStatuses.isEmpty ? 200 : state.postStatuses.removeFirst()
                return (next, state.logged.count)
            }
            status = next
            // 502 after processing: the write happened, the answer is lost.
            if next == 200 || next == 502 {
                sent["id"] = "CA\(id)"
                let stored = try JSONSerialization.data(withJSONObject: sent)
                state.withLock { $0.logged.append(stored) }
            }
            body =
                status == 200
                ? ["success": true, "data": ["id": "CA\(id)", "user_id": 1]]
                : ["success": false, "error": "scripted \(status)"]
        } else if path.hasSuffix("/callLogs") {
            let logs = state.withLock { $0.logged }.compactMap { try? JSONSerialization.jsonObject(with: $0) }
            body = [
                "success": true, "data": logs, "additional_data": ["pagination": ["more_items_in_collection": false]],
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: body)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: data)
    }
}

@Suite("Call-log writer")
struct CallLogWriterTests {
    func makeWriter(_ transport: ScriptedPipedrive, directory: URL) throws -> (CallLogWriter, Outbox) {
        let outbox = try Outbox(directory: directory.path)
        let client = PipedriveClient(
            configuration: PipedriveClient.Configuration(
                baseURL: URL(string: "http://pipedrive.test") ?? URL(fileURLWithPath: "/")),
            credentials: .apiToken("t"), transport: transport, sleep: { _ in })
        let users = UserDirectory(extensions: ["1001": "AINO@example.com"], fetchUsers: { try await client.users() })
        let writer = CallLogWriter(
            outbox: outbox, client: client, users: users, directory: nil, normalizer: PhoneNumberNormalizer(),
            settings: CallLogWriter.Settings(retry: RetryPolicy(initialDelayMilliseconds: 0, jitterFraction: 0)),
            logger: DaemonLogger(minimumLevel: .error), random: { 0.5 })
        return (writer, outbox)
    }

    func enqueue(_ outbox: Outbox, extensionNumber: String? = "1001") async throws -> String {
        let record = CallRecord(
            callID: "c1", direction: .inbound, from: "+358401234567", to: "1001", extensionNumber: extensionNumber,
            startedAt: CaptureTime(microsecondsSinceEpoch: 1_767_261_600_000_000), answeredAt: nil,
            endedAt: CaptureTime(microsecondsSinceEpoch: 1_767_261_605_000_000), ringSeconds: 5, talkSeconds: 0,
            outcome: .missed, complete: true)
        let key = CallLogKey.key(for: record)
        _ = try await outbox.enqueue(kind: "call", key: key, payload: Array(record.jsonLine.utf8), now: 0)
        return key
    }

    @Test("a lost answer is reconciled by the marker, not written twice")
    func reconcilesALostAnswer() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = ScriptedPipedrive(postStatuses: [502])
        let (writer, outbox) = try makeWriter(transport, directory: directory)
        let key = try await enqueue(outbox)
        let first = try await writer.processNext(now: { 0 })
        guard case .postponed = first else {
            Issue.record("expected a postponed item, got \(String(describing: first))")
            return
        }
        let second = try await writer.processNext(now: { 1_000_000 })
        #expect(second == .reconciled(callLogID: "CA0"))
        #expect(transport.posts == 1)
        #expect(try await outbox.item(key: key)?.state == .done)
    }

    @Test("a permanent error fails the item with the reason kept")
    func permanentError() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (writer, outbox) = try makeWriter(ScriptedPipedrive(postStatuses: [400]), directory: directory)
        let key = try await enqueue(outbox)
        guard case .failed = try await writer.processNext(now: { 0 }) else {
            Issue.record("expected a failed item")
            return
        }
        let item = try await outbox.item(key: key)
        #expect(item?.state == .failed)
        #expect(item?.lastError?.contains("scripted 400") == true)
    }

    @Test("an unmapped extension is skipped by the default policy and counted")
    func unmappedExtension() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = ScriptedPipedrive(postStatuses: [])
        let (writer, outbox) = try makeWriter(transport, directory: directory)
        let key = try await enqueue(outbox, extensionNumber: "1999")
        guard case .skipped = try await writer.processNext(now: { 0 }) else {
            Issue.record("expected a skipped item")
            return
        }
        #expect(try await outbox.item(key: key)?.state == .skipped)
        #expect(await writer.snapshot.unmappedExtensions == ["1999": 1])
        #expect(transport.posts == 0)
    }
}
