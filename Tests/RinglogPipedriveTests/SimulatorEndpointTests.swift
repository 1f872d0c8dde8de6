import Foundation
import RinglogTestSupport
import Testing

@testable import RinglogPipedrive

@Suite("Client against the Pipedrive simulator: endpoints", .enabled(if: PipedriveSimulator.isAvailable))
struct SimulatorEndpointTests {
    /// Calls every endpoint the client offers; returns the call log id it created.
    static func exerciseEveryEndpoint(_ client: PipedriveClient) async throws {
        let now = Date()
        let me = try await client.currentUser()
        #expect(me.id == 1)
        #expect(me.companyDomain == "ringlog-test")
        #expect(try await client.users().count >= 4)
        #expect(try await client.activityTypes().contains { $0.keyString == "call" })

        let hits = try await client.searchPersons(phone: "040 012 4387", exactMatch: true)
        #expect(hits.first?.personID == 1)
        let person = try await client.person(id: 1)
        #expect(person.organizationID == 1)
        #expect(person.phones.first?.value == "040 012 4387")
        let firstPage = try await client.persons(limit: 5)
        #expect(firstPage.persons.count == 5)
        let cursor = try #require(firstPage.nextCursor)
        let secondPage = try await client.persons(cursor: cursor, limit: 5)
        #expect(Set(secondPage.persons.map(\.id)).isDisjoint(with: firstPage.persons.map(\.id)))
        _ = try await client.persons(updatedSince: now.addingTimeInterval(-400 * 86_400), limit: 500)
        let created = try await client.addPerson(
            NewPerson(name: "Simulated Caller", phones: [LabeledValue(value: "+358 40 555 0101", label: "mobile")]))
        #expect(created.phones.first?.isPrimary == true)
        #expect(try await client.organizations(limit: 2).organizations.count == 2)
        #expect(try await client.organization(id: 1).name == "Kalastaja Oy")

        let start = now.addingTimeInterval(-300)
        let log = try await client.addCallLog(
            NewCallLog(
                outcome: .connected, toPhoneNumber: "+358400124387", startTime: start,
                endTime: start.addingTimeInterval(125),
                fromPhoneNumber: "+35896533267", duration: .seconds(125), subject: "Call with Matti", personID: 1,
                organizationID: 1, note: "Logged by ringlog"))
        #expect(log.activityID != nil)
        #expect(log.startTime == Date(timeIntervalSince1970: start.timeIntervalSince1970.rounded(.down)))
        #expect(try await client.callLog(id: log.id).personID == 1)
        #expect(try await client.callLogs(limit: 50).callLogs.contains { $0.id == log.id })
        try await client.attachRecording(Data(repeating: 0, count: 64), fileName: "call.wav", toCallLog: log.id)
        #expect(try await client.callLog(id: log.id).hasRecording)
        try await client.deleteCallLog(id: log.id)

        let activity = try await client.addActivity(
            ActivityFields(
                subject: "Follow-up call", type: "call", personID: 1, organizationID: 1, due: start,
                duration: .seconds(600), done: false))
        #expect(activity.personID == 1)
        let updated = try await client.updateActivity(id: activity.id, ActivityFields(done: true))
        #expect(updated.done)
        let listed = try await client.activities(
            ActivityFilter(personID: 1, done: true, updatedSince: now.addingTimeInterval(-60)))
        #expect(listed.activities.contains { $0.id == activity.id && $0.organizationID == 1 })
        #expect(listed.activities.allSatisfy { $0.personID == 1 && $0.done })
        #expect(listed.nextCursor == nil)
        let firstActivities = try await client.activities(ActivityFilter(ownerID: 1), limit: 1)
        #expect(firstActivities.activities.map(\.id) == [1])
        let activityCursor = try #require(firstActivities.nextCursor)
        let moreActivities = try await client.activities(ActivityFilter(ownerID: 1), cursor: activityCursor, limit: 1)
        #expect(moreActivities.activities.map(\.id) == [2])
        let openDeals = try await client.deals(statuses: [.open], limit: 1)
        #expect(openDeals.deals.map(\.id) == [1])
        #expect(openDeals.deals.first?.isOpen == true)
        #expect(openDeals.deals.first?.ownerID == 1 && openDeals.deals.first?.personID == 2)
        let dealCursor = try #require(openDeals.nextCursor)
        let moreDeals = try await client.deals(statuses: [.open], cursor: dealCursor, limit: 500)
        #expect(moreDeals.deals.map(\.id) == [2])
        let changedDeals = try await client.deals(
            statuses: Deal.Status.allCases, updatedSince: now.addingTimeInterval(-400 * 86_400))
        #expect(changedDeals.deals.filter { !$0.isOpen }.map(\.id).sorted() == [3, 4])
        let newDeal = try await client.addDeal(
            NewDeal(title: "Call from +358405550101", personID: created.id, ownerID: 1, pipelineID: 1, stageID: 1))
        #expect(newDeal.title == "Call from +358405550101" && newDeal.personID == created.id && newDeal.isOpen)
        let recents = try await client.recents(
            since: now.addingTimeInterval(-400 * 86_400), items: ["person", "organization", "user"], limit: 100)
        #expect(recents.changes.contains { $0.person?.id == 1 && $0.person?.organizationID == 1 })
    }

    @Test("every endpoint works against the simulator with an API token")
    func everyEndpoint() async throws {
        try await PipedriveSimulator.with { simulator in
            try await simulator.configure(["burst_limit_api_token": 1000])
            try await Self.exerciseEveryEndpoint(simulator.apiTokenClient())
        }
    }

    @Test("no request the client sends violates the specs, and the token counts match the simulator's")
    func specCompliance() async throws {
        try await PipedriveSimulator.with { simulator in
            try await simulator.configure(["burst_limit_api_token": 1000])
            let client = simulator.apiTokenClient()
            try await Self.exerciseEveryEndpoint(client)
            let requests = try await simulator.apiRequests()
            #expect(requests.count >= PipedriveEndpoint.allCases.count)
            for request in requests {
                let violations = request["violations"] as? [Any] ?? []
                #expect(violations.isEmpty, "\(request["method"] ?? "") \(request["path"] ?? ""): \(violations)")
                #expect((request["status"] as? Int).map { (200..<300).contains($0) } == true)
            }
            let seen = Set(requests.compactMap { $0["endpoint"] as? String })
            for endpoint in PipedriveEndpoint.allCases {
                #expect(
                    seen.contains("\(endpoint.method) /api/\(endpoint.version)\(endpoint.pathTemplate)"), "\(endpoint)")
            }
            let state = try await simulator.state()
            #expect(state["tokens_spent"] as? Int == client.ledger.totalTokens)
            let simulated = state["tokens_by_endpoint"] as? [String: Int] ?? [:]
            for (endpoint, usage) in client.tokensSpent {
                #expect(
                    simulated["\(endpoint.method) /api/\(endpoint.version)\(endpoint.pathTemplate)"] == usage.tokens)
            }
        }
    }
}
