import Foundation
import RinglogAgent
import RinglogCore
import RinglogStore
import Testing

/// The call-log writer against the Pipedrive simulator: deals, unknown callers, call-back activities and
/// exactly-once writing for users other than the token's owner.
@Suite("Call-log writer against the Pipedrive simulator", .serialized)
struct SimulatorWriterTests {
    @Test("a call from the person with the user's open deal is logged on that deal")
    func openDealIsLinked() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try SimulatorProcess(directory: directory)
        defer { simulator.stop() }
        let harness = try await SimulatorWriterHarness(
            simulator: simulator, state: directory.appendingPathComponent("state"))
        // Person 2 (organisation 1) has open deal 1 owned by user 1 (extension 1001), none of user 2's.
        try await harness.enqueueInbound(callID: "deal-1", from: "+358 40 922 0428", extensionNumber: "1001")
        try await harness.enqueueInbound(callID: "deal-2", from: "+358 40 922 0428", extensionNumber: "1002")
        for _ in 0..<2 {
            guard case .written = try await harness.writer.processNext(now: { 0 }) else {
                Issue.record("expected a written call log")
                return
            }
        }
        let logs = try await simulator.callLogs()
        #expect(logs.count == 2)
        let byUser = Dictionary(logs.map { ($0["user_id"] as? Int ?? 0, $0) }) { first, _ in first }
        #expect(byUser[1]?["deal_id"] as? Int == 1)
        #expect(byUser[1]?["person_id"] as? Int == 2)
        #expect(byUser[1]?["org_id"] as? Int == 1)
        #expect(byUser[2]?["deal_id"] == nil || byUser[2]?["deal_id"] is NSNull)
        #expect(byUser[2]?["person_id"] as? Int == 2)
    }
}
