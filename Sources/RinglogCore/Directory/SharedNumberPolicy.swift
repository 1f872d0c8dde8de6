/// Chooses the ONE target of a call log when the number belongs to several persons.
///
/// The order is fixed and documented in docs/matching.md:
/// 1. one person has the number → that person (and their organisation);
/// 2. every candidate belongs to the same organisation → that organisation, no person;
/// 3. otherwise the first candidate by: has an open deal owned by the call's user, then the most recent
///    activity, then the lowest id.
/// The other candidates are listed in the call log's note. A call is never logged on all of them.
public enum SharedNumberPolicy {
    /// Which rule decided.
    public enum Rule: String, Sendable, Equatable {
        case onlyPerson = "only person with this number"
        case sharedOrganization = "all persons with this number belong to one organisation"
        case openDealOfUser = "has an open deal owned by the call's user"
        case mostRecentActivity = "most recent activity"
        case lowestID = "lowest id among persons with no activity or deal to tell them apart"
    }

    /// The chosen target.
    public struct Choice: Sendable, Equatable {
        /// The person to log on, when one was chosen.
        public var personID: Int?
        /// The organisation to log on.
        public var organizationID: Int?
        /// The open deal to attach, when exactly one of the call user's open deals is with the target.
        public var dealID: Int?
        /// Which rule decided.
        public var rule: Rule
        /// The other persons who have the number, lowest id first.
        public var otherCandidates: [Int]

        /// Creates a choice.
        public init(personID: Int?, organizationID: Int?, dealID: Int?, rule: Rule, otherCandidates: [Int]) {
            self.personID = personID
            self.organizationID = organizationID
            self.dealID = dealID
            self.rule = rule
            self.otherCandidates = otherCandidates
        }
    }

    /// Chooses among `candidates` (at least one) for a call handled by `userID`.
    public static func choose(
        among candidates: [ContactIndex.Entry], openDeals: [DirectoryDeal], userID: Int?
    ) -> Choice? {
        guard let firstCandidate = candidates.first else { return nil }
        let usersDeals = openDeals.filter { userID != nil && $0.ownerID == userID }

        func dealID(person: Int?, organization: Int?) -> Int? {
            let matching = usersDeals.filter { deal in
                if let person, deal.personID == person { return true }
                if person == nil, let organization, deal.organizationID == organization { return true }
                return false
            }
            return matching.count == 1 ? matching[0].id : nil
        }

        if candidates.count == 1 {
            return Choice(
                personID: firstCandidate.personID, organizationID: firstCandidate.organizationID,
                dealID: dealID(person: firstCandidate.personID, organization: firstCandidate.organizationID),
                rule: .onlyPerson, otherCandidates: [])
        }
        let ids = candidates.map(\.personID).sorted()
        if let organization = firstCandidate.organizationID,
            candidates.allSatisfy({ $0.organizationID == organization })
        {
            return Choice(
                personID: nil, organizationID: organization, dealID: dealID(person: nil, organization: organization),
                rule: .sharedOrganization, otherCandidates: ids)
        }
        let withDeal = Set(usersDeals.compactMap(\.personID))
        let ranked = candidates.sorted { a, b in
            let aDeal = withDeal.contains(a.personID)
            let bDeal = withDeal.contains(b.personID)
            if aDeal != bDeal { return aDeal }
            if a.lastActivityAt != b.lastActivityAt { return (a.lastActivityAt ?? .min) > (b.lastActivityAt ?? .min) }
            return a.personID < b.personID
        }
        let chosen = ranked[0]
        let runnerUp = ranked[1]
        let rule: Rule
        if withDeal.contains(chosen.personID) && !withDeal.contains(runnerUp.personID) {
            rule = .openDealOfUser
        } else if chosen.lastActivityAt != nil && chosen.lastActivityAt != runnerUp.lastActivityAt {
            rule = .mostRecentActivity
        } else {
            rule = .lowestID
        }
        return Choice(
            personID: chosen.personID, organizationID: chosen.organizationID,
            dealID: dealID(person: chosen.personID, organization: chosen.organizationID), rule: rule,
            otherCandidates: ids.filter { $0 != chosen.personID })
    }
}
