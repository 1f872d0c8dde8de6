import Foundation
import RinglogAgent
import RinglogCore
import RinglogPipedrive
import RinglogStore
import RinglogTestSupport
import Testing

/// Exactly once for calls of users other than the token's owner (user 1): `GET /v1/callLogs` lists only
/// the owner's logs, so the writer finds such a call log through its activity, owned by the call's user.
@Suite("Exactly once for other users and call-back activities, against the Pipedrive simulator", .serialized)
struct ExactlyOnceForOtherUsersTests {
    func activities(_ state: [String: Any]) -> [[String: Any]] { state["activities"] as? [[String: Any]] ?? [] }

    @Test("a crash between sending user 2's call log and storing the answer is reconciled: one log")
    func crashBetweenSendAndStore() async throws {
        let harness = try await SimulatorWriterHarness.started(
            raisingBurstLimit: true, callLogs: CallLogSettings(callBack: nil))
        defer { harness.stop() }
        let simulator = harness.simulator
        let key = try await harness.enqueueInbound(callID: "other-user", from: "040 012 4387", extensionNumber: "1002")

        let crashing = try harness.crashingWriter(method: "POST", pathSuffix: "/callLogs")
        await #expect(throws: CancellationError.self) { try await crashing.processNext(now: { 1_767_300_000_000 }) }
        #expect(try await harness.outbox.item(key: key)?.state == .sending)
        #expect(try await simulator.callLogs().count == 1)

        let restarted = try harness.restartedWriter()
        try await restarted.reconcileInterrupted(now: { 1_767_300_060_000 })
        let item = try await harness.outbox.item(key: key)
        #expect(item?.state == .done)
        #expect(await restarted.snapshot.reconciled == 1)
        #expect(try await restarted.processNext(now: { 1_767_300_070_000 }) == nil)
        let logs = try await simulator.callLogs()
        #expect(logs.count == 1)
        #expect(logs.first?["user_id"] as? Int == 2)
        #expect(logs.first?["person_id"] as? Int == 1)
        let result = try #require(item?.result)
        let stored = try JSONDecoder().decode(CallLogResult.self, from: Data(result.utf8))
        #expect(stored.activityID == logs.first?["activity_id"] as? Int)
        #expect(stored.userID == 2 && stored.personID == 1)
        // Found through user 2's activities, not through the token owner's call logs.
        let requests = try await simulator.control("GET", "/_sim/requests") as? [[String: Any]] ?? []
        #expect(requests.contains { ($0["endpoint"] as? String) == "GET /api/v2/activities" })
    }

    @Test("another user's activities are read page by page once: later lookups read only what changed since")
    func incrementalActivityScan() async throws {
        let harness = try await SimulatorWriterHarness.started(
            raisingBurstLimit: true, callLogs: CallLogSettings(callBack: nil))
        defer { harness.stop() }
        let simulator = harness.simulator
        // 210 activities of user 2 (three pages of 100 with the call), each with another call's marker
        // line, changed before the call.
        for index in 0..<210 {
            _ = try await harness.client.addActivity(
                ActivityFields(
                    subject: "Earlier call \(index)", type: "call", ownerID: 2, done: true,
                    note: "<p>\(CallLogComposer.marker(forKey: "earlier-\(index)"))</p>"))
        }
        try await simulator.control("POST", "/_sim/clock", json: ["advance": 10])

        let first = try await harness.enqueueInbound(
            callID: "first", from: "040 012 4387", extensionNumber: "1002", endedAt: 1_767_261_605)
        let crashing = try harness.crashingWriter(method: "POST", pathSuffix: "/callLogs")
        await #expect(throws: CancellationError.self) { try await crashing.processNext(now: { 1_767_300_000_000 }) }
        try await simulator.control("DELETE", "/_sim/requests")
        let restarted = try harness.restartedWriter()
        try await restarted.reconcileInterrupted(now: { 1_767_300_060_000 })
        #expect(try await harness.outbox.item(key: first)?.state == .done)
        #expect(try await activityListings(simulator) == 3)

        try await simulator.control("POST", "/_sim/clock", json: ["advance": 10])
        // A call of user 1 fetches the user list, so that only the next call's write meets the fault.
        try await harness.enqueueInbound(callID: "warm-up", from: "040 012 4387", extensionNumber: "1001")
        guard case .written = try await restarted.processNext(now: { 1_767_300_090_000 }) else {
            Issue.record("expected a written call log")
            return
        }
        let second = try await harness.enqueueInbound(
            callID: "second", from: "040 012 4387", extensionNumber: "1002", endedAt: 1_767_261_705)
        try await simulator.control("POST", "/_sim/faults", json: ["drop_rate": 1.0, "fault_phase": "after"])
        let lost = try await restarted.processNext(now: { 1_767_300_100_000 })
        guard case .postponed = lost else {
            Issue.record("expected a postponed call, got \(String(describing: lost))")
            return
        }
        try await simulator.control("POST", "/_sim/faults", json: [:])
        try await simulator.control("DELETE", "/_sim/requests")
        let outcome = try await restarted.processNext(now: { 1_767_310_000_000 })
        guard case .reconciled = outcome else {
            Issue.record("expected a reconciled call, got \(String(describing: outcome))")
            return
        }
        #expect(try await harness.outbox.item(key: second)?.state == .done)
        // One page from where the first lookup ended, not the 210 activities again.
        #expect(try await activityListings(simulator) == 1)
        #expect(try await simulator.callLogs().count == 3)
    }

    /// How many `GET /api/v2/activities` the simulator answered since its request log was cleared.
    func activityListings(_ simulator: PipedriveSimulator) async throws -> Int {
        let requests = try await simulator.control("GET", "/_sim/requests") as? [[String: Any]] ?? []
        return requests.filter { ($0["endpoint"] as? String) == "GET /api/v2/activities" }.count
    }

    @Test("a lost answer to user 2's call log (dropped after processing) is found, not written twice")
    func unconfirmedAttemptForAnotherUser() async throws {
        let harness = try await SimulatorWriterHarness.started(
            raisingBurstLimit: true, callLogs: CallLogSettings(callBack: nil))
        defer { harness.stop() }
        let simulator = harness.simulator
        // A first call fetches the user list, so that only the second call's write meets the fault.
        try await harness.enqueueInbound(callID: "warm-up", from: "040 012 4387", extensionNumber: "1001")
        guard case .written = try await harness.writer.processNext(now: { 0 }) else {
            Issue.record("expected a written call log")
            return
        }
        try await harness.enqueueInbound(
            callID: "lost-answer", from: "040 012 4387", extensionNumber: "1002", endedAt: 1_767_262_605)
        try await simulator.control("POST", "/_sim/faults", json: ["drop_rate": 1.0, "fault_phase": "after"])
        guard case .postponed = try await harness.writer.processNext(now: { 0 }) else {
            Issue.record("expected a postponed call")
            return
        }
        try await simulator.control("POST", "/_sim/faults", json: [:])
        let second = try await harness.writer.processNext(now: { 10_000_000 })
        guard case .reconciled = second else {
            Issue.record("expected a reconciled call, got \(String(describing: second))")
            return
        }
        let logs = try await simulator.callLogs()
        #expect(logs.count == 2)
        #expect(logs.filter { $0["user_id"] as? Int == 2 }.count == 1)
    }

    @Test("a missed inbound call gets one undone call-back activity for the call's user, across a crash")
    func callBackActivityExactlyOnce() async throws {
        let harness = try await SimulatorWriterHarness.started(
            raisingBurstLimit: true,
            callLogs: CallLogSettings(callBack: CallBackSettings(subject: "Call back {number}", dueInMinutes: 15)))
        defer { harness.stop() }
        let before = activities(try await harness.state()).count
        let key = try await harness.enqueueInbound(
            callID: "missed-1", from: "040 012 4387", extensionNumber: "1002", outcome: .missed,
            endedAt: 1_767_261_605)
        try await harness.enqueueInbound(callID: "answered-1", from: "040 012 4387", extensionNumber: "1002")

        // The call logs are written; the call-back activity's request reaches Pipedrive, then "the process dies".
        let crashing = try harness.crashingWriter(method: "POST", pathSuffix: "/activities")
        for _ in 0..<2 {
            guard case .written = try await crashing.processNext(now: { 1_767_300_000_000 }) else {
                Issue.record("expected written call logs")
                return
            }
        }
        #expect(try await harness.outbox.item(key: key + "#callback")?.state == .pending)
        await #expect(throws: CancellationError.self) { try await crashing.processNext(now: { 1_767_300_000_000 }) }
        #expect(try await harness.outbox.item(key: key + "#callback")?.state == .sending)

        let restarted = try harness.restartedWriter()
        try await restarted.reconcileInterrupted(now: { 1_767_300_060_000 })
        #expect(try await harness.outbox.item(key: key + "#callback")?.state == .done)
        #expect(try await restarted.processNext(now: { 1_767_300_070_000 }) == nil)
        #expect(try await restarted.isDrained())

        let state = try await harness.state()
        let callBacks = activities(state).filter { ($0["note"] as? String)?.contains("ringlog-callback: ") == true }
        #expect(callBacks.count == 1)
        let callBack = try #require(callBacks.first)
        #expect(callBack["done"] as? Bool == false)
        #expect(callBack["type"] as? String == "call")
        #expect(callBack["owner_id"] as? Int == 2)
        #expect(callBack["person_id"] as? Int == 1)
        #expect(callBack["org_id"] as? Int == 1)
        #expect(callBack["subject"] as? String == "Call back 040 012 4387")
        #expect(callBack["due_date"] as? String == "2026-01-01")
        #expect((callBack["due_time"] as? String)?.hasPrefix("10:15") == true)
        // Two call logs' activities plus one call-back: nothing else was created.
        #expect(activities(state).count == before + 3)

        // `ringlog status` counts it; `ringlog trace` shows it next to its call.
        let reader = StatusReader(stateDirectory: try #require(harness.stateDirectory).path)
        let status = try await reader.status()
        #expect(status.callBacksCreated == 1 && status.callBacksPending == 0 && status.callBacksFailed == 0)
        #expect(status.text.contains("call-backs:    created 1, pending 0, failed 0"))
        #expect(status.prometheusText.contains("ringlog_callbacks{state=\"created\"} 1"))
        let trace = try await reader.trace(callID: "missed-1")
        #expect(trace.contains("call-back activity \(key)#callback"), "\(trace)")
        #expect(trace.contains("written: activity \(callBack["id"] as? Int ?? -1)"), "\(trace)")
    }

    @Test("call-back activities can be switched off; answered calls never get one")
    func callBackOff() async throws {
        let harness = try await SimulatorWriterHarness.started(
            callLogs: CallLogSettings(includesNote: false, callBack: nil))
        defer { harness.stop() }
        let simulator = harness.simulator
        let key = try await harness.enqueueInbound(callID: "missed-off", from: "040 012 4387", outcome: .missed)
        guard case .written = try await harness.writer.processNext(now: { 0 }) else {
            Issue.record("expected a written call log")
            return
        }
        #expect(try await harness.writer.processNext(now: { 0 }) == nil)
        #expect(try await harness.outbox.item(key: key + "#callback") == nil)
        let note = try await simulator.callLogs().first?["note"] as? String
        // Without the note, only the marker line is sent (ringlog needs it to find the log after a crash).
        #expect(note == "<p>ringlog-call-id: \(key)</p>")
    }
}
