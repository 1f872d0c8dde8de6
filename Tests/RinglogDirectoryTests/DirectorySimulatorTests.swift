import Foundation
import RinglogAgent
import RinglogCore
import RinglogStore
import RinglogTestSupport
import Testing

/// What `make_seed.py --truth` writes: each real number and the persons who have it.
struct SeedTruth: Decodable {
    struct Number: Decodable {
        var e164: String
        var persons: [Int]
        var organizations: [Int]
        var personsWithoutOrganization: Int
        var kind: String
        var switchboard: Bool
        var shared: Bool
        var formats: [String]

        enum CodingKeys: String, CodingKey {
            case e164, persons, organizations, kind, switchboard, shared, formats
            case personsWithoutOrganization = "persons_without_organization"
        }
    }

    struct Deal: Decodable {
        var id: Int
        var personID: Int?
        var ownerID: Int

        enum CodingKeys: String, CodingKey {
            case id
            case personID = "person_id"
            case ownerID = "owner_id"
        }
    }

    var numbers: [Number]
    var openDeals: [Deal]
    /// Each person's organisation, from the seed itself.
    var organizationOfPerson: [Int: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case numbers
        case openDeals = "open_deals"
    }
}

/// The persons of a seed file, as far as the truth needs them.
struct SeedPersons: Decodable {
    struct Person: Decodable {
        var id: Int
        var organizationID: Int?

        enum CodingKeys: String, CodingKey {
            case id
            case organizationID = "org_id"
        }
    }

    var persons: [Person]
}

@Suite("Contact directory against the Pipedrive simulator's messy seed", .enabled(if: PipedriveSimulator.isAvailable))
struct DirectorySimulatorTests {
    static let normalizer = PhoneNumberNormalizer(region: .finland)
    /// Values that are no phone number, on persons added behind the seed's back.
    static let junkValues = ["ask reception", "n/a", "-", "12", "see e-mail", "+", "000", "tel:", "0", "x"]

    @Test("every number resolves to its persons by the policy; zero wrong-person results; restart gives the same")
    func messySeed() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let seedPath = scratch.path + "/seed.json"
        let truthPath = scratch.path + "/truth.json"
        try await PipedriveSimulator.makeSeed(persons: 10_000, seed: 1, seedPath: seedPath, truthPath: truthPath)
        var truth = try JSONDecoder().decode(
            SeedTruth.self, from: try Data(contentsOf: URL(fileURLWithPath: truthPath)))
        let seedPersons = try JSONDecoder().decode(
            SeedPersons.self, from: try Data(contentsOf: URL(fileURLWithPath: seedPath)))
        for person in seedPersons.persons {
            if let organization = person.organizationID { truth.organizationOfPerson[person.id] = organization }
        }
        #expect(truth.numbers.count > 10_000)
        #expect(truth.numbers.filter(\.shared).count > 100)
        #expect(truth.numbers.filter { $0.kind == "aland" }.count > 500)
        #expect(truth.numbers.filter { $0.kind == "foreign" }.count > 500)

        // A number the normaliser rejects even in its E.164 form is not a real number (the generator writes
        // random digits, some in unallocated ranges): it must not be indexed, nor resolve to anyone.
        let realNumbers = truth.numbers.filter { Self.normalizer.normalize($0.e164)?.e164 == $0.e164 }
        let fictional = truth.numbers.filter { Self.normalizer.normalize($0.e164)?.e164 != $0.e164 }
        #expect(realNumbers.count > 12_000)

        let state = scratch.path + "/state"
        try await PipedriveSimulator.with(seedPath: seedPath) { simulator in
            try await simulator.data("POST", "/_sim/config", json: ["burst_limit_api_token": 1000])
            for (offset, junk) in Self.junkValues.enumerated() {
                try await simulator.data(
                    "POST", "/_sim/persons",
                    json: ["id": 900_001 + offset, "name": "No Number \(offset)", "phones": [junk], "owner_id": 1])
            }
            let directory = try Directory(directory: state, normalizer: Self.normalizer)
            let source = PipedriveDirectorySource(client: simulator.client())
            let report = try await directory.synchronize(from: source, now: 1_767_600_000)
            #expect(report.wasFullSweep)
            #expect(report.updated == 10_000 + Self.junkValues.count)
            for offset in Self.junkValues.indices {
                #expect(report.unreadablePhones[900_001 + offset] != nil, "junk value \(Self.junkValues[offset])")
            }
            // Exactly the real numbers are indexed: no junk value, and no format of any number, made a bogus key.
            let size = await directory.size
            #expect(size.persons == 10_000 + Self.junkValues.count)
            #expect(size.phones == realNumbers.count)

            try await Self.checkMatches(directory, realNumbers: realNumbers, fictional: fictional, truth: truth)
        }

        // Restart: the directory loads from SQLite and answers the same, with no source at all.
        let reloaded = try Directory(directory: state, normalizer: Self.normalizer)
        #expect(await reloaded.size.phones == realNumbers.count)
        try await Self.checkMatches(reloaded, realNumbers: realNumbers, fictional: fictional, truth: truth)
    }

    /// Matches every number for several users and compares with the policy of docs/matching.md.
    static func checkMatches(
        _ directory: Directory, realNumbers: [SeedTruth.Number], fictional: [SeedTruth.Number], truth: SeedTruth
    ) async throws {
        var wrongPerson: [String] = []
        var otherwiseWrong: [String] = []
        for userID in [nil, 1, 2, 3] as [Int?] {
            let withUsersDeal = Set(truth.openDeals.filter { $0.ownerID == userID }.compactMap(\.personID))
            for number in realNumbers {
                guard let choice = await directory.match(e164: number.e164, userID: userID) else {
                    otherwiseWrong.append("\(number.e164) \(number.formats): no match, truth \(number.persons)")
                    continue
                }
                if let person = choice.personID, !number.persons.contains(person) {
                    wrongPerson.append("\(number.e164): person \(person), truth \(number.persons)")
                    continue
                }
                let expected = expectedChoice(number, withUsersDeal: withUsersDeal, truth: truth)
                if choice.personID != expected.person || choice.organizationID != expected.organization {
                    otherwiseWrong.append(
                        "\(number.e164) user \(String(describing: userID)): \(String(describing: choice.personID))/"
                            + "\(String(describing: choice.organizationID)), expected "
                            + "\(String(describing: expected.person))/\(String(describing: expected.organization))")
                }
            }
        }
        for number in fictional where await directory.match(e164: number.e164, userID: nil) != nil {
            wrongPerson.append("\(number.e164) is not a valid number but resolved")
        }
        #expect(wrongPerson.count == 0, "wrong-person results, e.g. \(wrongPerson.prefix(5))")
        #expect(otherwiseWrong.count == 0, "numbers not resolved by the policy, e.g. \(otherwiseWrong.prefix(5))")
    }

    /// The policy of docs/matching.md from the truth: the only person; the organisation every person with
    /// the number belongs to; otherwise the person with the user's open deal, then (no activity dates in
    /// the simulator's persons) the lowest id.
    static func expectedChoice(_ number: SeedTruth.Number, withUsersDeal: Set<Int>, truth: SeedTruth) -> (
        person: Int?, organization: Int?
    ) {
        if number.persons.count == 1 { return (number.persons[0], number.organizations.first) }
        if number.organizations.count == 1, number.personsWithoutOrganization == 0 {
            return (nil, number.organizations[0])
        }
        let chosen = number.persons.first(where: withUsersDeal.contains) ?? number.persons[0]
        return (chosen, truth.organizationOfPerson[chosen])
    }
}
