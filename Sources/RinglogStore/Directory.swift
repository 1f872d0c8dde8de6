import Foundation
import RinglogCore

/// The always-fresh local contact directory: persons and open deals from Pipedrive, kept in SQLite and
/// indexed in memory, so matching a caller costs no API tokens.
///
/// Sync: the first run, and then a full sweep every `fullSweepInterval`, lists every person (cursor pages);
/// persons the sweep did not see are removed (deleted in Pipedrive, or merged away). Between sweeps an
/// incremental sync lists persons updated since the last watermark (`updated_since` is inclusive, so the
/// boundary person is read twice, harmlessly); soft-deleted persons are removed. Open deals follow the
/// same pattern: all open deals on a full sweep, then the deals changed since their own watermark, where a
/// deal won, lost or deleted since leaves the directory.
public actor Directory {
    /// What one synchronisation did.
    public struct SyncReport: Sendable, Equatable {
        /// Whether it was a full sweep.
        public var wasFullSweep: Bool
        /// Persons added or updated.
        public var updated: Int
        /// Persons removed.
        public var removed: Int
        /// Phone values that are not phone numbers, by person id, for `ringlog check`.
        public var unreadablePhones: [Int: [String]]
        /// Open deals held after the sync.
        public var openDeals = 0
        /// Why the open deals could not be brought up to date (for example an OAuth app without
        /// `deals:read`); the persons are synchronised all the same and the deals held before are kept.
        public var dealsFailure: String?
    }

    private let executor = SerialQueueExecutor(label: "ringlog.directory")
    private let store: DirectoryStore
    private var index: ContactIndex
    private var deals: [DirectoryDeal]
    private let fullSweepInterval: Int64
    /// Numbers looked up with a search since the last sync: each unknown number is searched once per sync.
    private var searchedSinceSync: Set<PhoneKey> = []

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens the directory in `directory` and loads what the last run stored.
    /// - Parameter fullSweepInterval: seconds between full sweeps (default one day).
    public init(directory: String, normalizer: PhoneNumberNormalizer, fullSweepInterval: Int64 = 86_400) throws {
        store = try DirectoryStore(directory: directory)
        var index = ContactIndex(normalizer: normalizer)
        try store.forEachPerson { index.upsert($0) }
        self.index = index
        deals = try store.allDeals()
        self.fullSweepInterval = fullSweepInterval
    }

    /// How many persons and numbers are indexed.
    public var size: (persons: Int, phones: Int) { (index.personCount, index.phoneCount) }

    /// Brings the directory up to date from `source`.
    /// - Parameter now: seconds since the Unix epoch.
    public func synchronize(from source: some DirectorySource, now: Int64) async throws -> SyncReport {
        let lastSweepAt = try store.state("last_sweep_at").flatMap { Int64($0) }
        let watermark = try store.state("persons_watermark")
        let fullSweep = watermark == nil || lastSweepAt == nil || now - (lastSweepAt ?? 0) >= fullSweepInterval
        let sweep = fullSweep ? (try store.state("last_sweep").flatMap { Int($0) } ?? 0) + 1 : nil

        var report = SyncReport(wasFullSweep: fullSweep, updated: 0, removed: 0, unreadablePhones: [:])
        var newestUpdate = watermark
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await source.persons(updatedSince: fullSweep ? nil : watermark, cursor: cursor)
            for change in page.items where newestUpdate == nil || change.updatedAt > newestUpdate ?? "" {
                newestUpdate = change.updatedAt
            }
            try store.apply(page.items, watermark: newestUpdate, sweep: sweep)
            for change in page.items {
                if change.isDeleted {
                    if index.entry(personID: change.person.id) != nil { report.removed += 1 }
                    index.remove(personID: change.person.id)
                } else {
                    let unreadable = index.upsert(change.person)
                    if !unreadable.isEmpty { report.unreadablePhones[change.person.id] = unreadable }
                    report.updated += 1
                }
            }
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 100_000
        if let sweep {
            let gone = try store.finishSweep(sweep)
            for id in gone { index.remove(personID: id) }
            report.removed += gone.count
            try store.setState("last_sweep_at", String(now))
        }

        do {
            report.openDeals = try await synchronizeDeals(from: source, fullListing: fullSweep)
        } catch let cancellation as CancellationError {
            throw cancellation
        } catch {
            // Deals only refine the choice among persons: their failure must not hold up the persons.
            report.openDeals = deals.count
            report.dealsFailure = "\(error)"
        }
        searchedSinceSync = []
        return report
    }

    /// Brings the open deals up to date: every open deal on a full sweep (or when no deal watermark is
    /// stored), else the deals changed since the watermark, open ones kept and closed ones dropped.
    /// - Returns: how many open deals the directory now has.
    private func synchronizeDeals(from source: some DirectorySource, fullListing: Bool) async throws -> Int {
        let watermark = try store.state("deals_watermark")
        let full = fullListing || watermark == nil
        var openDeals: [Int: DirectoryDeal] = full ? [:] : Dictionary(deals.map { ($0.id, $0) }) { first, _ in first }
        var newestUpdate = full ? nil : watermark
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await source.deals(updatedSince: full ? nil : watermark, cursor: cursor)
            for change in page.items {
                openDeals[change.deal.id] = change.isOpen ? change.deal : nil
                if !change.updatedAt.isEmpty, newestUpdate == nil || change.updatedAt > newestUpdate ?? "" {
                    newestUpdate = change.updatedAt
                }
            }
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 100_000
        let sorted = openDeals.values.sorted { $0.id < $1.id }
        try store.replaceDeals(sorted)
        if let newestUpdate { try store.setState("deals_watermark", newestUpdate) }
        deals = sorted
        return sorted.count
    }

    /// The open deals the directory holds, lowest id first.
    public var openDeals: [DirectoryDeal] { deals }

    /// The one target for a call with `number` handled by `userID`, by the shared-number policy;
    /// `nil` when no person has the number.
    public func match(e164 number: String, userID: Int?) -> SharedNumberPolicy.Choice? {
        guard let key = PhoneKey(e164: number) else { return nil }
        let candidates = index.entries(for: key)
        guard !candidates.isEmpty else { return nil }
        let ids = Set(candidates.map(\.personID))
        let organizations = Set(candidates.compactMap(\.organizationID))
        let relevantDeals = deals.filter { deal in
            deal.personID.map(ids.contains) ?? false || deal.organizationID.map(organizations.contains) ?? false
        }
        return SharedNumberPolicy.choose(among: candidates, openDeals: relevantDeals, userID: userID)
    }

    /// The persons with this e-mail address, lowest id first.
    public func persons(withEmail email: String) -> [ContactIndex.Entry] {
        index.entries(forEmail: email)
    }

    /// Whether a search for `number` is due: it has no person in the index and was not searched for since
    /// the last sync. Records the search, so each unknown number costs one search per sync at most.
    public func claimSearch(e164 number: String) -> Bool {
        guard let key = PhoneKey(e164: number), !index.contains(key) else { return false }
        return searchedSinceSync.insert(key).inserted
    }

    /// Adds a person ringlog itself created (an unknown caller), so the next call finds it at once.
    public func insert(_ person: DirectoryPerson, updatedAt: String) throws {
        try store.apply(
            [DirectoryPersonChange(person: person, isDeleted: false, updatedAt: updatedAt)], watermark: nil, sweep: nil)
        index.upsert(person)
    }

    /// Adds an open deal ringlog created itself, ahead of the next sync (which confirms or replaces it).
    public func insert(_ deal: DirectoryDeal) throws {
        var updated = deals.filter { $0.id != deal.id }
        updated.append(deal)
        updated.sort { $0.id < $1.id }
        try store.replaceDeals(updated)
        deals = updated
    }
}
