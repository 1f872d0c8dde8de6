import Foundation
import RinglogCore
import RinglogStore
import Synchronization
import Testing

/// A CRM in memory: persons with update times, listed in pages of `pageSize`, counting calls.
private final class FakeCRM: DirectorySource {
    struct State {
        var persons: [Int: DirectoryPersonChange] = [:]
        var deals: [DirectoryDeal] = []
        var dealsRefused = false
        var personCalls = 0
    }
    let state = Locked(State())
    let pageSize: Int

    init(pageSize: Int = 2) { self.pageSize = pageSize }

    func set(_ person: DirectoryPerson, at time: String, deleted: Bool = false) {
        state.withLock {
            $0.persons[person.id] = DirectoryPersonChange(person: person, isDeleted: deleted, updatedAt: time)
        }
    }

    func purge(_ id: Int) { state.withLock { _ = $0.persons.removeValue(forKey: id) } }

    var personCalls: Int { state.withLock { $0.personCalls } }

    func persons(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryPersonChange> {
        state.withLock { state in
            state.personCalls += 1
            let all = state.persons.values.filter { updatedSince == nil || $0.updatedAt >= updatedSince ?? "" }
                .sorted { $0.person.id < $1.person.id }
            let start = Int(cursor ?? "0") ?? 0
            let end = min(all.count, start + pageSize)
            return DirectoryPage(items: Array(all[start..<end]), nextCursor: end < all.count ? String(end) : nil)
        }
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String { "403 Forbidden: the token has no deals:read scope" }
    }

    func deals(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryDealChange> {
        if state.withLock({ $0.dealsRefused }) { throw Refused() }
        return state.withLock {
            DirectoryPage(
                items: $0.deals.map { DirectoryDealChange(deal: $0, isOpen: true, updatedAt: "") }, nextCursor: nil)
        }
    }
}

@Suite("Contact directory")
struct DirectoryTests {
    private final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ringlog-directory-\(UUID().uuidString)"
        ).path
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test("full sync, incremental updates, soft deletes, sweeps and merges")
    func lifecycle() async throws {
        let scratch = Scratch()
        let crm = FakeCRM()
        crm.set(
            DirectoryPerson(id: 1, name: "Anna", organizationID: 10, phones: ["040 012 4387"]),
            at: "2026-01-01T00:00:00Z")
        crm.set(DirectoryPerson(id: 2, name: "Mikko", phones: ["+358 50 123 4567"]), at: "2026-01-01T00:00:01Z")
        crm.set(DirectoryPerson(id: 3, name: "Desk", phones: ["09 310 1691"]), at: "2026-01-01T00:00:02Z")
        let directory = try Directory(
            directory: scratch.path, normalizer: PhoneNumberNormalizer(), fullSweepInterval: 1_000)

        let first = try await directory.synchronize(from: crm, now: 100)
        #expect(first.wasFullSweep)
        #expect(first.updated == 3)
        #expect(await directory.match(e164: "+358400124387", userID: nil)?.personID == 1)

        // An update moves Mikko's number; a soft delete removes Desk.
        crm.set(DirectoryPerson(id: 2, name: "Mikko", phones: ["050 765 4321"]), at: "2026-01-02T00:00:00Z")
        crm.set(
            DirectoryPerson(id: 3, name: "Desk", phones: ["09 310 1691"]), at: "2026-01-02T00:00:01Z", deleted: true)
        let second = try await directory.synchronize(from: crm, now: 200)
        #expect(!second.wasFullSweep)
        #expect(second.removed == 1)
        #expect(await directory.match(e164: "+358501234567", userID: nil) == nil)
        #expect(await directory.match(e164: "+358507654321", userID: nil)?.personID == 2)
        #expect(await directory.match(e164: "+35893101691", userID: nil) == nil)

        // A merge: Anna (1) absorbed into Mikko (2), who gets her number; 1 disappears without a trace.
        crm.set(
            DirectoryPerson(id: 2, name: "Mikko", phones: ["050 765 4321", "040 012 4387"]), at: "2026-01-03T00:00:00Z")
        crm.purge(1)
        _ = try await directory.synchronize(from: crm, now: 300)
        // Incremental: 1 is still indexed too, so the number is shared for now; the policy picks one target
        // (the lowest id, nothing else tells them apart) and names the other.
        let interim = await directory.match(e164: "+358400124387", userID: nil)
        #expect(interim?.personID == 1)
        #expect(interim?.otherCandidates == [2])
        let sweep = try await directory.synchronize(from: crm, now: 1_200)
        #expect(sweep.wasFullSweep)
        #expect(sweep.removed >= 1)
        #expect(await directory.match(e164: "+358400124387", userID: nil)?.personID == 2)
        #expect(await directory.match(e164: "+358400124387", userID: nil)?.otherCandidates == [])
    }

    @Test("deals refused by Pipedrive: the persons are synchronised all the same and the deals held are kept")
    func dealsRefused() async throws {
        let scratch = Scratch()
        let crm = FakeCRM()
        crm.set(DirectoryPerson(id: 1, name: "Anna", phones: ["040 012 4387"]), at: "2026-01-01T00:00:00Z")
        crm.state.withLock { $0.deals = [DirectoryDeal(id: 7, personID: 1, organizationID: nil, ownerID: 3)] }
        let directory = try Directory(
            directory: scratch.path, normalizer: PhoneNumberNormalizer(), fullSweepInterval: 1_000)
        let first = try await directory.synchronize(from: crm, now: 100)
        #expect(first.openDeals == 1 && first.dealsFailure == nil)

        crm.state.withLock { $0.dealsRefused = true }
        crm.set(DirectoryPerson(id: 2, name: "Mikko", phones: ["050 765 4321"]), at: "2026-01-02T00:00:00Z")
        let second = try await directory.synchronize(from: crm, now: 200)
        #expect(second.updated >= 1)  // the person at the watermark is read again, harmlessly
        #expect(second.dealsFailure?.contains("deals:read") == true)
        #expect(second.openDeals == 1)
        #expect(await directory.match(e164: "+358507654321", userID: nil)?.personID == 2)
        #expect(await directory.openDeals.map(\.id) == [7])
    }

    @Test("a restart loads the directory from disk without listing everything again")
    func restart() async throws {
        let scratch = Scratch()
        let crm = FakeCRM(pageSize: 100)
        for id in 1...50 {
            crm.set(
                DirectoryPerson(id: id, name: "P\(id)", phones: [String(format: "040 000 %04d", id)]),
                at: "2026-01-01T00:00:00Z")
        }
        do {
            let directory = try Directory(directory: scratch.path, normalizer: PhoneNumberNormalizer())
            _ = try await directory.synchronize(from: crm, now: 100)
        }
        let callsBefore = crm.personCalls
        let reopened = try Directory(directory: scratch.path, normalizer: PhoneNumberNormalizer())
        #expect(await reopened.size.persons == 50)
        #expect(await reopened.match(e164: "+358400000042", userID: nil)?.personID == 42)
        let report = try await reopened.synchronize(from: crm, now: 200)
        #expect(!report.wasFullSweep)
        #expect(crm.personCalls == callsBefore + 1)
    }

    @Test("a switchboard number shared by eight persons of one organisation logs once, on the organisation")
    func switchboard() async throws {
        let scratch = Scratch()
        let crm = FakeCRM(pageSize: 3)
        for id in 1...8 {
            crm.set(
                DirectoryPerson(id: id, name: "Staff \(id)", organizationID: 500, phones: ["(09) 123 4567"]),
                at: "2026-01-01T00:00:00Z")
        }
        let directory = try Directory(directory: scratch.path, normalizer: PhoneNumberNormalizer())
        _ = try await directory.synchronize(from: crm, now: 100)
        let choice = try #require(await directory.match(e164: "+35891234567", userID: 1))
        #expect(choice.personID == nil)
        #expect(choice.organizationID == 500)
        #expect(choice.otherCandidates.count == 8)
    }
}
