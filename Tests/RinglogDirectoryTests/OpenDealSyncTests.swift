import Foundation
import RinglogAgent
import RinglogCore
import RinglogStore
import RinglogTestSupport
import Testing

/// Open deals through the production source (`GET /api/v2/deals`) against the simulator's default seed:
/// the shared-number policy prefers the person with the call user's open deal and names the deal, and a
/// deal won or deleted since the last sync stops counting.
@Suite("Open deals against the Pipedrive simulator", .enabled(if: PipedriveSimulator.isAvailable))
struct OpenDealSyncTests {
    static let normalizer = PhoneNumberNormalizer(region: .finland)

    @Test("an open deal owned by the call's user picks the person and sets the deal; closed deals drop out")
    func openDealsFollowPipedrive() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let seed = PackageRoot.path("Tests/PipedriveSimulator/seed.json")
        try await PipedriveSimulator.with(seedPath: seed) { simulator in
            // Two persons of different organisations share a number; user 2 has an open deal with the second.
            for (id, organization) in [(500, 3), (501, 4)] {
                try await simulator.data(
                    "POST", "/_sim/persons",
                    json: ["id": id, "name": "Shared \(id)", "phones": ["040 777 1234"], "org_id": organization])
            }
            let created = try await simulator.data(
                "POST", "/api/v2/deals", json: ["title": "Pilot", "person_id": 501, "owner_id": 2],
                token: PipedriveSimulator.apiToken)
            let dealObject = try JSONSerialization.jsonObject(with: created) as? [String: Any]
            let dealID = try #require((dealObject?["data"] as? [String: Any])?["id"] as? Int)

            let directory = try Directory(directory: scratch.path + "/state", normalizer: Self.normalizer)
            let source = PipedriveDirectorySource(client: simulator.client())
            let first = try await directory.synchronize(from: source, now: 1_767_600_000)
            #expect(first.openDeals == 3)  // seed deals 1 and 2, and the new one
            #expect(Set(await directory.openDeals.map(\.id)) == [1, 2, dealID])

            let forUser2 = await directory.match(e164: "+358407771234", userID: 2)
            #expect(forUser2?.personID == 501)
            #expect(forUser2?.organizationID == 4)
            #expect(forUser2?.dealID == dealID)
            #expect(forUser2?.rule == .openDealOfUser)
            #expect(forUser2?.otherCandidates == [500])
            let forUser1 = await directory.match(e164: "+358407771234", userID: 1)
            #expect(forUser1?.personID == 500)
            #expect(forUser1?.dealID == nil)
            #expect(forUser1?.rule == .lowestID)
            // The seed's switchboard: every person with it is in organisation 1, where user 1 has open deal 1.
            let switchboard = await directory.match(e164: "+35896533267", userID: 1)
            #expect(switchboard?.organizationID == 1 && switchboard?.personID == nil)
            #expect(switchboard?.dealID == 1)
            // The only person with a number, and the user's one open deal with them.
            #expect(await directory.match(e164: "+358409220428", userID: 1)?.dealID == 1)
            #expect(await directory.match(e164: "+358409220428", userID: 2)?.dealID == nil)

            // Won and deleted behind ringlog's back: the incremental sync drops both.
            try await simulator.data("PATCH", "/_sim/deals/\(dealID)", json: ["status": "won"])
            try await simulator.data("DELETE", "/_sim/deals/1")
            let second = try await directory.synchronize(from: source, now: 1_767_600_300)
            #expect(!second.wasFullSweep)
            #expect(second.openDeals == 1)
            #expect(await directory.openDeals.map(\.id) == [2])
            let afterWin = await directory.match(e164: "+358407771234", userID: 2)
            #expect(afterWin?.personID == 500)
            #expect(afterWin?.dealID == nil)
            #expect(await directory.match(e164: "+35896533267", userID: 1)?.dealID == nil)

            // Reopened: back in.
            try await simulator.data("PATCH", "/_sim/deals/\(dealID)", json: ["status": "open"])
            _ = try await directory.synchronize(from: source, now: 1_767_600_600)
            #expect(await directory.match(e164: "+358407771234", userID: 2)?.dealID == dealID)

            // What ringlog asked for: open deals first, then every status since the watermark; no violations.
            let log = try JSONSerialization.jsonObject(with: try await simulator.data("GET", "/_sim/requests"))
            let dealRequests = (log as? [[String: Any]] ?? []).filter { ($0["path"] as? String) == "/api/v2/deals" }
                .filter { ($0["method"] as? String) == "GET" }
            let statuses = dealRequests.map { (($0["query"] as? [String: [String]])?["status"] ?? []).joined() }
            #expect(statuses == ["open", "open,won,lost,deleted", "open,won,lost,deleted"])
            for request in dealRequests {
                #expect((request["violations"] as? [Any] ?? []).isEmpty, "\(request)")
                #expect(request["status"] as? Int == 200)
            }
        }

        // A restart keeps the open deals without asking Pipedrive.
        let reloaded = try Directory(directory: scratch.path + "/state", normalizer: Self.normalizer)
        #expect(await reloaded.openDeals.count == 2)
    }
}
