import Foundation
import RinglogCore
import RinglogStore
import RinglogTestSupport
import Testing

/// `ringlog check` names the extensions that made calls but have no e-mail in `users`, and the e-mails
/// with no active Pipedrive user.
@Suite("ringlog check: unmapped extensions", .serialized)
struct CheckUnmappedExtensionTests {
    @Test("extensions seen in calls but not in users are reported, online and offline")
    func unmappedExtensionsAreReported() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let configuration = try writeConfiguration(
            in: directory, simulator: simulator,
            extra: #", "users": {"1001": "aino.admin@ringlog-test.example", "1009": "nobody@example.com"}"#)
        let outbox = try Outbox(directory: directory.appendingPathComponent("state").path)
        for (index, extensionNumber) in ["1001", "1005", "1005", "1007", "1009"].enumerated() {
            let record = CallRecord(
                callID: "check-\(index)", direction: .inbound, from: "+358401234567", to: extensionNumber,
                extensionNumber: extensionNumber,
                startedAt: CaptureTime(microsecondsSinceEpoch: 1_767_261_600_000_000 + Int64(index) * 1_000_000),
                answeredAt: nil, endedAt: CaptureTime(microsecondsSinceEpoch: 1_767_261_610_000_000),
                ringSeconds: 5, talkSeconds: 0, outcome: .missed, complete: true)
            _ = try await outbox.enqueue(
                kind: "call", key: CallLogKey.key(for: record), payload: Array(record.jsonLine.utf8), now: 0)
        }

        for offline in [false, true] {
            let (status, text) = try runRinglog(
                ["check", "--config", configuration.path] + (offline ? ["--offline"] : []), in: directory)
            #expect(status == 0)
            #expect(text.contains("warn  users.1005: extension 1005 made 2 call(s) but is not mapped to an e-mail"))
            #expect(text.contains("warn  users.1007: extension 1007 made 1 call(s)"))
            #expect(!text.contains("users.1001:"))
            // 1009 is mapped; its e-mail has no Pipedrive user, which only the online check can tell.
            #expect(!text.contains("users.1009: extension"))
            #expect(text.contains("users.1009: nobody@example.com has no active Pipedrive user") == !offline)
        }
    }
}
