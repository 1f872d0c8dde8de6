import RinglogCore
import Testing

/// A messy directory with its ground truth: 10,000 persons whose numbers are written in dozens of
/// formats (generated Finnish numbers in the ways people type them, and the unambiguous rows of the
/// phone-sample corpus), shared switchboard numbers, Åland and foreign numbers, and values that are not
/// numbers at all.
struct MessyDirectory {
    /// The persons, as the CRM would hand them over.
    var persons: [DirectoryPerson] = []
    /// For each real number (E.164), the persons who have it.
    var owners: [String: Set<Int>] = [:]
    /// The open deals.
    var deals: [DirectoryDeal] = []
    /// Phone values that are no number (they must not be indexed).
    var junkValues = 0

    /// Builds `personCount` persons from `seed`; the same arguments give the same directory.
    init(personCount: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let samples = PhoneSample.all.filter { $0.alternativeE164.isEmpty }
        let sampleNumbers = samples.filter { !$0.expectedE164.isEmpty }
        let sampleJunk = samples.filter { $0.expectedE164.isEmpty && !$0.raw.isEmpty }
        let organizationCount = personCount / 20
        let switchboards = (0..<organizationCount).map { _ in Self.finnishNumber(&random) }

        for id in 1...personCount {
            let organization =
                Int.random(in: 0..<5, using: &random) < 4 ? Int.random(in: 1...organizationCount, using: &random) : nil
            var phones: [String] = []
            for _ in 0..<Self.pick([0, 1, 1, 1, 2, 2, 3], &random) {
                let dice = Int.random(in: 0..<100, using: &random)
                if dice < 10, let sample = sampleNumbers.randomElement(using: &random) {
                    phones.append(sample.raw)
                    owners[sample.expectedE164, default: []].insert(id)
                } else if dice < 13, let junk = sampleJunk.randomElement(using: &random) {
                    phones.append(junk.raw)
                    junkValues += 1
                } else if dice < 22 {
                    let (raw, e164) = Self.foreignNumber(&random)
                    phones.append(raw)
                    owners[e164, default: []].insert(id)
                } else {
                    let nsn = Self.finnishNumber(&random)
                    phones.append(Self.write(nsn: nsn, &random))
                    owners["+358" + nsn, default: []].insert(id)
                }
            }
            if let organization, Int.random(in: 0..<100, using: &random) < 15 {
                let nsn = switchboards[organization - 1]
                phones.append(Self.write(nsn: nsn, &random))
                owners["+358" + nsn, default: []].insert(id)
            }
            let lastActivity: Int64? =
                Bool.random(using: &random) ? 1_767_600_000 + Int64.random(in: 0..<400, using: &random) * 3_600 : nil
            persons.append(
                DirectoryPerson(
                    id: id, name: "Person \(id)", organizationID: organization,
                    ownerID: Int.random(in: 1...3, using: &random),
                    phones: phones, emails: Bool.random(using: &random) ? ["Person.\(id)@Example.com"] : [],
                    lastActivityAt: lastActivity))
        }
        for dealID in 1...(personCount / 25) {
            let person = persons[Int.random(in: 0..<personCount, using: &random)]
            deals.append(
                DirectoryDeal(
                    id: dealID, personID: person.id, organizationID: person.organizationID,
                    ownerID: Int.random(in: 1...3, using: &random)))
        }
    }

    /// A Finnish national significant number: mobile, Helsinki, or Åland.
    private static func finnishNumber(_ random: inout SplitMix64) -> String {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<55: "4\(pick([0, 1, 4, 5, 6], &random))" + digits(7, &random)
        case 55..<65: "50" + digits(7, &random)
        case 65..<80: "18\(Int.random(in: 1...8, using: &random))" + digits(4, &random)
        default: "9\(Int.random(in: 1...8, using: &random))" + digits(6, &random)
        }
    }

    /// One element of a non-empty literal list.
    private static func pick<Element>(_ list: [Element], _ random: inout SplitMix64) -> Element {
        list[Int.random(in: 0..<list.count, using: &random)]
    }

    private static func digits(_ count: Int, _ random: inout SplitMix64) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
    }

    /// A Finnish number in one of the ways people write it.
    private static func write(nsn: String, _ random: inout SplitMix64) -> String {
        let areaLength = nsn.hasPrefix("4") || nsn.hasPrefix("5") || nsn.hasPrefix("18") ? 2 : 1
        let area = String(nsn.prefix(areaLength))
        let rest = String(nsn.dropFirst(areaLength))
        let head = String(rest.prefix(3))
        let tail = String(rest.dropFirst(3))
        let formats = [
            "+358\(nsn)", "+358 \(area) \(head) \(tail)", "0\(area) \(head) \(tail)", "0\(nsn)", "00358\(nsn)",
            "+358 (0)\(area)-\(rest)", "(0\(area)) \(head) \(tail)", "358\(nsn)", "0\(area)-\(rest)",
            "+358 0\(area) \(rest)", "0\(area).\(head).\(tail)", "tel:+358\(nsn)", "'0\(nsn)",
            "+358\u{00A0}\(area)\u{00A0}\(rest)", "0\(nsn) ext 12", "+358-\(area)-\(head)-\(tail)",
            "(+358) \(area) \(rest)", "sip:0\(nsn)@pbx.example.com",
        ]
        return pick(formats, &random)
    }

    /// A foreign number written with its country code, and its E.164 form.
    private static func foreignNumber(_ random: inout SplitMix64) -> (String, String) {
        let a = digits(3, &random)
        let b = digits(4, &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return ("+46 8 \(a) \(b)", "+468\(a)\(b)")
        case 1: return ("+44 20 7\(a) \(b)", "+44207\(a)\(b)")
        case 2: return ("+372 5\(a) \(b)", "+3725\(a)\(b)")
        case 3: return ("+1 (212) 5\(a.prefix(2))-\(b)", "+12125\(a.prefix(2))\(b)")
        default: return ("0049 30 \(b)\(b)", "+4930\(b)\(b)")
        }
    }
}

@Suite("Contact index against a messy directory's ground truth")
struct ContactIndexTruthTests {
    static let directory = MessyDirectory(personCount: 10_000, seed: 20_261_121)

    /// The index of the whole directory, and the phone values it could not read.
    static func buildIndex() -> (ContactIndex, unreadable: Int) {
        var index = ContactIndex(normalizer: PhoneNumberNormalizer(region: .finland))
        var unreadable = 0
        for person in directory.persons { unreadable += index.upsert(person).count }
        return (index, unreadable)
    }

    @Test("the fixture is messy enough: shared, switchboard, Åland, foreign and junk values")
    func fixtureShape() {
        let owners = Self.directory.owners
        #expect(Self.directory.persons.count == 10_000)
        #expect(owners.count > 10_000)
        #expect(owners.values.filter { $0.count > 1 }.count > 100)
        #expect(owners.keys.filter { $0.hasPrefix("+35818") }.count > 500)
        #expect(owners.keys.filter { !$0.hasPrefix("+358") }.count > 1_000)
        #expect(Self.directory.junkValues > 100)
    }

    @Test("every number resolves to exactly the persons who have it; junk is not indexed")
    func everyNumberResolves() throws {
        let (index, unreadable) = Self.buildIndex()
        #expect(index.personCount == 10_000)
        // No bogus keys: the index holds exactly the true numbers, so junk was not indexed under any key.
        #expect(index.phoneCount == Self.directory.owners.count)
        #expect(unreadable == Self.directory.junkValues)
        var wrong: [String] = []
        for (e164, owners) in Self.directory.owners {
            let key = try #require(PhoneKey(e164: e164))
            let found = index.entries(for: key).map(\.personID)
            if found != owners.sorted() { wrong.append("\(e164): \(found), truth \(owners.sorted())") }
        }
        #expect(wrong.count == 0, "numbers that resolve wrongly, e.g. \(wrong.prefix(5))")
    }

    @Test("the shared-number policy never picks a person who does not have the number", arguments: [nil, 1, 2, 3])
    func policyPicksAnOwner(userID: Int?) throws {
        let (index, _) = Self.buildIndex()
        var wrong: [String] = []
        var shared = 0
        let dealsByPerson = Dictionary(grouping: Self.directory.deals.filter { $0.personID != nil }) {
            $0.personID ?? 0
        }
        let dealsByOrganization = Dictionary(grouping: Self.directory.deals.filter { $0.organizationID != nil }) {
            $0.organizationID ?? 0
        }
        let personsWithUsersDeal = Set(
            Self.directory.deals.filter { userID != nil && $0.ownerID == userID }.compactMap(\.personID))
        for (e164, owners) in Self.directory.owners {
            let candidates = index.entries(for: try #require(PhoneKey(e164: e164)))
            // The deals with the candidates or their organisations, as the directory hands them to the policy.
            var deals: [Int: DirectoryDeal] = [:]
            for deal in owners.flatMap({ dealsByPerson[$0] ?? [] }) { deals[deal.id] = deal }
            for organization in Set(candidates.compactMap(\.organizationID)) {
                for deal in dealsByOrganization[organization] ?? [] { deals[deal.id] = deal }
            }
            guard
                let choice = SharedNumberPolicy.choose(
                    among: candidates, openDeals: deals.values.sorted { $0.id < $1.id }, userID: userID)
            else {
                wrong.append("\(e164): no candidates (truth \(owners.sorted()))")
                continue
            }
            let expected = Self.expectedChoice(owners: owners, personsWithUsersDeal: personsWithUsersDeal)
            if owners.count > 1 { shared += 1 }
            if let person = choice.personID, !owners.contains(person) {
                wrong.append("\(e164): person \(person) does not have it (truth \(owners.sorted()))")
            } else if choice.personID != expected.person || choice.organizationID != expected.organization {
                wrong.append(
                    "\(e164): \(String(describing: choice.personID))/\(String(describing: choice.organizationID)), "
                        + "expected \(String(describing: expected.person))/\(String(describing: expected.organization))"
                )
            }
        }
        #expect(shared > 100)
        #expect(wrong.count == 0, "wrong results, e.g. \(wrong.prefix(5))")
    }

    /// The policy of docs/matching.md, computed from the generator's truth.
    static func expectedChoice(owners: Set<Int>, personsWithUsersDeal withDeal: Set<Int>) -> (
        person: Int?, organization: Int?
    ) {
        let persons = owners.sorted().map { directory.persons[$0 - 1] }
        if persons.count == 1 { return (persons[0].id, persons[0].organizationID) }
        let organizations = Set(persons.map(\.organizationID))
        if organizations.count == 1, let organization = persons[0].organizationID { return (nil, organization) }
        let best = persons.min { a, b in
            if withDeal.contains(a.id) != withDeal.contains(b.id) { return withDeal.contains(a.id) }
            if a.lastActivityAt != b.lastActivityAt { return (a.lastActivityAt ?? .min) > (b.lastActivityAt ?? .min) }
            return a.id < b.id
        }
        return (best?.id, best?.organizationID)
    }
}
