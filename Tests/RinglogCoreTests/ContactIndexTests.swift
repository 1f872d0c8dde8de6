import RinglogCore
import Testing

@Suite("Contact index")
struct ContactIndexTests {
    private func key(_ e164: String) throws -> PhoneKey { try #require(PhoneKey(e164: e164)) }

    @Test(
        "phone keys pack E.164 and nothing else",
        arguments: ["+358400124387", "+3581825000", "+12125550123", "+390212345678"])
    func phoneKeyRoundTrip(e164: String) throws {
        #expect(try key(e164).description == e164)
    }

    @Test(
        "malformed keys are refused",
        arguments: ["358400124387", "+0401234567", "+", "+1", "+1234567890123456", "+35840x", ""])
    func phoneKeyRefuses(text: String) {
        #expect(PhoneKey(e164: text) == nil)
    }

    @Test("a number stored in any format is found by its E.164 form")
    func findsEveryFormat() throws {
        var index = ContactIndex(normalizer: PhoneNumberNormalizer())
        let formats = [
            "040 012 4387", "+358 (0)40-0124387", "00358400124387", "358400124387", "400124387",
            "+358\u{00A0}40\u{00A0}012\u{00A0}4387",
        ]
        for (offset, format) in formats.enumerated() {
            index.upsert(DirectoryPerson(id: offset + 1, name: "P\(offset)", phones: [format]))
        }
        #expect(index.entries(for: try key("+358400124387")).map(\.personID) == [1, 2, 3, 4, 5, 6])
        #expect(index.phoneCount == 1)
    }

    @Test("updates and deletions unlink old numbers and e-mails")
    func updatesAndDeletes() throws {
        var index = ContactIndex(normalizer: PhoneNumberNormalizer())
        index.upsert(DirectoryPerson(id: 7, name: "Anna", phones: ["040 123 4567"], emails: ["Anna@Example.com"]))
        #expect(index.entries(forEmail: "anna@example.COM").map(\.personID) == [7])
        index.upsert(DirectoryPerson(id: 7, name: "Anna", phones: ["050 765 4321"], emails: []))
        #expect(index.entries(for: try key("+358401234567")).isEmpty)
        #expect(index.entries(for: try key("+358507654321")).map(\.personID) == [7])
        #expect(index.entries(forEmail: "anna@example.com").isEmpty)
        index.remove(personID: 7)
        #expect(index.personCount == 0)
        #expect(index.phoneCount == 0)
    }

    @Test("values that are not phone numbers are reported, not indexed")
    func reportsUnreadable() {
        var index = ContactIndex(normalizer: PhoneNumberNormalizer())
        let unreadable = index.upsert(DirectoryPerson(id: 1, name: "X", phones: ["040 123 4567", "ask reception", ""]))
        #expect(unreadable == ["ask reception"])
        #expect(index.phoneCount == 1)
    }
}

@Suite("Shared-number policy")
struct SharedNumberPolicyTests {
    private func entry(_ id: Int, org: Int? = nil, activity: Int64? = nil) -> ContactIndex.Entry {
        ContactIndex.Entry(
            personID: id, organizationID: org, ownerID: nil, lastActivityAt: activity, phoneKeys: [], emails: [])
    }

    @Test("one person: that person and their organisation, with the user's one open deal")
    func onlyPerson() {
        let choice = SharedNumberPolicy.choose(
            among: [entry(5, org: 50)],
            openDeals: [DirectoryDeal(id: 900, personID: 5, organizationID: 50, ownerID: 1)],
            userID: 1)
        #expect(choice == .init(personID: 5, organizationID: 50, dealID: 900, rule: .onlyPerson, otherCandidates: []))
    }

    @Test("a switchboard number shared inside one organisation is logged on the organisation")
    func sharedOrganization() {
        let choice = SharedNumberPolicy.choose(
            among: (1...8).map { entry($0, org: 42, activity: Int64($0)) }, openDeals: [], userID: 1)
        #expect(choice?.personID == nil)
        #expect(choice?.organizationID == 42)
        #expect(choice?.rule == .sharedOrganization)
        #expect(choice?.otherCandidates == Array(1...8))
    }

    @Test("an open deal owned by the call's user wins over recent activity")
    func openDealWins() {
        let deals = [DirectoryDeal(id: 77, personID: 3, organizationID: nil, ownerID: 9)]
        let choice = SharedNumberPolicy.choose(
            among: [entry(2, org: 1, activity: 500), entry(3, org: 2, activity: 100)], openDeals: deals, userID: 9)
        #expect(
            choice == .init(personID: 3, organizationID: 2, dealID: 77, rule: .openDealOfUser, otherCandidates: [2]))
        // Another user's deal does not count.
        let other = SharedNumberPolicy.choose(
            among: [entry(2, org: 1, activity: 500), entry(3, org: 2, activity: 100)], openDeals: deals, userID: 8)
        #expect(other?.personID == 2)
        #expect(other?.rule == .mostRecentActivity)
    }

    @Test("with nothing to tell them apart, the lowest id; the order of input does not matter")
    func lowestID() {
        let forward = SharedNumberPolicy.choose(among: [entry(4), entry(9), entry(6)], openDeals: [], userID: nil)
        let backward = SharedNumberPolicy.choose(among: [entry(6), entry(9), entry(4)], openDeals: [], userID: nil)
        #expect(forward == backward)
        #expect(
            forward == .init(personID: 4, organizationID: nil, dealID: nil, rule: .lowestID, otherCandidates: [6, 9]))
    }

    @Test("no candidates, no choice")
    func empty() {
        #expect(SharedNumberPolicy.choose(among: [], openDeals: [], userID: 1) == nil)
    }
}
