import Foundation
import RinglogAgent
import RinglogCore
import RinglogStore
import RinglogTestSupport
import Testing

/// The call-log writer against the Pipedrive simulator: deals, unknown callers, call-back activities and
/// exactly-once writing for users other than the token's owner.
@Suite("Call-log writer against the Pipedrive simulator", .serialized)
struct SimulatorWriterTests {
    @Test("a call from the person with the user's open deal is logged on that deal")
    func openDealIsLinked() async throws {
        let harness = try await SimulatorWriterHarness.started()
        defer { harness.stop() }
        let simulator = harness.simulator
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

    @Test("two calls from the same new number finishing at the same moment create exactly one person")
    func oneNewPersonForConcurrentCalls() async throws {
        let harness = try await SimulatorWriterHarness.started(
            policy: CallPolicy(unknownCaller: .createPerson(nameTemplate: "Unknown caller {number}")))
        defer { harness.stop() }
        let simulator = harness.simulator
        // Slow answers widen the window in which both calls are in flight.
        try await simulator.control("POST", "/_sim/faults", json: ["slow_rate": 1.0, "slow_ms": 200])
        for index in 0..<3 {
            try await harness.enqueueInbound(
                callID: "new-\(index)", from: "+358 40 555 7777", extensionNumber: index == 0 ? "1001" : "1002")
        }
        let writer = harness.writer
        let outcomes = try await withThrowingTaskGroup(of: CallLogWriter.Outcome?.self) { group in
            for _ in 0..<3 { group.addTask { try await writer.processNext(now: { 0 }) } }
            var outcomes: [CallLogWriter.Outcome?] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.allSatisfy { if case .written = $0 { true } else { false } }, "\(outcomes)")
        try await simulator.control("POST", "/_sim/faults", json: [:])
        let state = try await harness.state()
        let persons = (state["persons"] as? [[String: Any]] ?? []).filter { person in
            (person["phones"] as? [[String: Any]] ?? []).contains { $0["value"] as? String == "+358405557777" }
        }
        #expect(persons.count == 1)
        #expect(persons.first?["name"] as? String == "Unknown caller +358405557777")
        let personID = try #require(persons.first?["id"] as? Int)
        let logs = try await simulator.callLogs()
        #expect(logs.count == 3)
        #expect(logs.allSatisfy { $0["person_id"] as? Int == personID })
        // The next call from the number finds the person in the directory without asking Pipedrive.
        try await harness.enqueueInbound(callID: "new-later", from: "040 555 7777", endedAt: 1_767_262_000)
        _ = try await writer.processNext(now: { 0 })
        let after = try await harness.state()
        #expect(
            (after["persons"] as? [[String: Any]] ?? []).count == (state["persons"] as? [[String: Any]] ?? []).count)
        #expect(try await simulator.callLogs().last?["person_id"] as? Int == personID)
    }

    @Test("an unknown caller gets one new person and one deal in the configured pipeline and stage, linked to the log")
    func newPersonWithDeal() async throws {
        let harness = try await SimulatorWriterHarness.started(
            policy: CallPolicy(
                unknownCaller: .createPerson(nameTemplate: "Unknown caller {number}"),
                unknownCallerDeal: CallPolicy.UnknownCallerDeal(
                    titleTemplate: "Inbound lead {number}", pipelineID: 1, stageID: 2)))
        defer { harness.stop() }
        let simulator = harness.simulator
        try await simulator.control("POST", "/_sim/faults", json: ["slow_rate": 1.0, "slow_ms": 200])
        for index in 0..<2 {
            try await harness.enqueueInbound(callID: "lead-\(index)", from: "+358 40 555 8888")
        }
        let writer = harness.writer
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 { group.addTask { _ = try await writer.processNext(now: { 0 }) } }
            try await group.waitForAll()
        }
        try await simulator.control("POST", "/_sim/faults", json: [:])
        let state = try await harness.state()
        let persons = (state["persons"] as? [[String: Any]] ?? []).filter { person in
            (person["phones"] as? [[String: Any]] ?? []).contains { $0["value"] as? String == "+358405558888" }
        }
        #expect(persons.count == 1)
        let personID = try #require(persons.first?["id"] as? Int)
        let deals = (state["deals"] as? [[String: Any]] ?? []).filter { $0["person_id"] as? Int == personID }
        #expect(deals.count == 1)
        let deal = try #require(deals.first)
        #expect(deal["title"] as? String == "Inbound lead +358405558888")
        #expect(deal["pipeline_id"] as? Int == 1 && deal["stage_id"] as? Int == 2)
        #expect(deal["owner_id"] as? Int == 1)
        let logs = try await simulator.callLogs()
        #expect(logs.count == 2)
        #expect(logs.allSatisfy { $0["person_id"] as? Int == personID && $0["deal_id"] as? Int == deal["id"] as? Int })
    }

    @Test("search on a miss: one exact search per unknown number and sync; the person found enters the directory")
    func searchOnMiss() async throws {
        let harness = try await SimulatorWriterHarness.started(raisingBurstLimit: true, searchOnMiss: true)
        defer { harness.stop() }
        let simulator = harness.simulator
        // Added after the directory's sync: only a search can find it.
        let added = try await simulator.control(
            "POST", "/_sim/persons", json: ["name": "Brand New", "phones": ["+358 40 123 9999"], "org_id": 2])
        let newID = try #require((added as? [String: Any])?["id"] as? Int)
        func searches() async throws -> Int {
            let requests = try await simulator.control("GET", "/_sim/requests") as? [[String: Any]] ?? []
            return requests.filter { ($0["endpoint"] as? String) == "GET /api/v2/persons/search" }.count
        }

        try await harness.enqueueInbound(callID: "search-1", from: "040 123 9999", endedAt: 1_767_262_000)
        try await harness.enqueueInbound(callID: "search-2", from: "040 123 9999", endedAt: 1_767_262_100)
        try await harness.enqueueInbound(callID: "unknown-1", from: "+358 40 000 0001", endedAt: 1_767_262_200)
        try await harness.enqueueInbound(callID: "unknown-2", from: "+358 40 000 0001", endedAt: 1_767_262_300)
        for _ in 0..<4 {
            guard case .written = try await harness.writer.processNext(now: { 0 }) else {
                Issue.record("expected a written call log")
                return
            }
        }
        let logs = try await simulator.callLogs()
        #expect(logs.prefix(2).allSatisfy { $0["person_id"] as? Int == newID && $0["org_id"] as? Int == 2 })
        #expect(logs.suffix(2).allSatisfy { $0["person_id"] == nil || $0["person_id"] is NSNull })
        // One search for the new person (the second call finds it in the directory), one for the unknown number.
        #expect(try await searches() == 2)
        #expect(await harness.writer.snapshot.searches == 2)
        #expect(await harness.directory.match(e164: "+358401239999", userID: 1)?.personID == newID)

        // After the next sync the unknown number may be searched for once more.
        _ = try await harness.directory.synchronize(
            from: PipedriveDirectorySource(client: harness.client), now: Int64(Date().timeIntervalSince1970) + 60)
        try await harness.enqueueInbound(callID: "unknown-3", from: "+358 40 000 0001", endedAt: 1_767_262_400)
        _ = try await harness.writer.processNext(now: { 0 })
        #expect(try await searches() == 3)
    }
}
