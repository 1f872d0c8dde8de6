import Foundation
import RinglogTestSupport
import Testing

/// `ringlog check` compares `events.activity_types` with the simulator's activity types.
@Suite("Check of event activity types", .serialized)
struct CheckActivityTypeTests {
    private func check(_ configuration: URL, in directory: URL) throws -> (status: Int32, output: String) {
        try runRinglog(["check", "--config", configuration.path], in: directory)
    }

    @Test("active keys pass; an unknown and an inactive key are errors naming the key and the fix (exit 78)")
    func activityTypes() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let port = 39_000 + Int.random(in: 100..<900)

        let good = try writeConfiguration(
            in: directory, simulator: simulator,
            extra: #", "events": {"activity_types": {"chat": "whatsapp_chat", "ticket": "email"}}"#, hepPort: port)
        let passed = try check(good, in: directory)
        #expect(passed.status == 0, "\(passed.output)")
        #expect(passed.output.contains("ok    events.activity_types: chat → whatsapp_chat, ticket → email are active"))

        let bad = try writeConfiguration(
            in: directory, simulator: simulator,
            extra: #", "events": {"activity_types": {"chat": "sms_chat", "ticket": "lunch"}}"#, hepPort: port)
        let failed = try check(bad, in: directory)
        #expect(failed.status == 78, "\(failed.output)")
        #expect(
            failed.output.contains(
                "error events.activity_types.chat: 'sms_chat' is not an activity type of this company; use one of: "))
        #expect(failed.output.contains("whatsapp_chat"))
        #expect(failed.output.contains("error events.activity_types.ticket: 'lunch' (Lunch) is inactive in Pipedrive"))
        #expect(failed.output.contains("ok    pipedrive: reachable at"))
    }
}
