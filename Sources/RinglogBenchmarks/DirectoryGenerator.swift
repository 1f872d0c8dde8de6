import RinglogCore

/// A deterministic stream of directory persons for `ringlog-bench directory`: two phone values each, in the
/// formats people type (national, `+358`, `00358`, `(0)`, dashes, dots, `tel:`, an extension, …); Finnish
/// mobile, Helsinki and Åland numbers, some foreign ones, and on some persons their organisation's shared
/// switchboard number. Most persons have an e-mail address.
struct DirectoryGenerator {
    private let personCount: Int
    private let organizationCount: Int
    private var random = BenchmarkRandom(seed: 2026)
    private var nextID = 1
    private var switchboards: [String] = []

    /// Persons 1 to `personCount`.
    init(personCount: Int) {
        self.personCount = personCount
        organizationCount = max(1, personCount / 20)
        switchboards = (0..<organizationCount).map { _ in finnishNumber() }
    }

    /// The next person, or `nil` after the last.
    mutating func next() -> DirectoryPerson? {
        guard nextID <= personCount else { return nil }
        let id = nextID
        nextID += 1
        let organization: Int? = chance(80) ? Int.random(in: 1...organizationCount, using: &random) : nil
        var phones: [String] = []
        if let organization, chance(15) { phones.append(write(nsn: switchboards[organization - 1])) }
        while phones.count < 2 { phones.append(chance(10) ? foreignNumber() : write(nsn: finnishNumber())) }
        return DirectoryPerson(
            id: id, name: "Person \(id)", organizationID: organization, ownerID: Int.random(in: 1...3, using: &random),
            phones: phones, emails: chance(60) ? ["person.\(id)@example.com"] : [],
            lastActivityAt: chance(50) ? 1_767_600_000 + Int64.random(in: 0..<10_000, using: &random) * 60 : nil)
    }

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    private mutating func digits(_ count: Int) -> String {
        var text = ""
        for _ in 0..<count { text.append(Character(Unicode.Scalar(UInt8(48 + Int.random(in: 0...9, using: &random))))) }
        return text
    }

    /// A Finnish national significant number: mobile, Helsinki or Åland.
    private mutating func finnishNumber() -> String {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<55: "4\([0, 1, 4, 5, 6][Int.random(in: 0..<5, using: &random)])" + digits(7)
        case 55..<65: "50" + digits(7)
        case 65..<80: "18\(Int.random(in: 1...8, using: &random))" + digits(4)
        default: "9\(Int.random(in: 1...8, using: &random))" + digits(6)
        }
    }

    /// A Finnish number written one of the ways people write it.
    private mutating func write(nsn: String) -> String {
        let areaLength = nsn.hasPrefix("4") || nsn.hasPrefix("5") || nsn.hasPrefix("18") ? 2 : 1
        let area = String(nsn.prefix(areaLength))
        let rest = String(nsn.dropFirst(areaLength))
        let head = String(rest.prefix(3))
        let tail = String(rest.dropFirst(3))
        switch Int.random(in: 0..<16, using: &random) {
        case 0: return "+358\(nsn)"
        case 1: return "+358 \(area) \(head) \(tail)"
        case 2: return "0\(area) \(head) \(tail)"
        case 3: return "0\(nsn)"
        case 4: return "00358\(nsn)"
        case 5: return "+358 (0)\(area)-\(rest)"
        case 6: return "(0\(area)) \(head) \(tail)"
        case 7: return "358\(nsn)"
        case 8: return "0\(area)-\(rest)"
        case 9: return "+358 0\(area) \(rest)"
        case 10: return "0\(area).\(head).\(tail)"
        case 11: return "tel:+358\(nsn)"
        case 12: return "'0\(nsn)"
        case 13: return "+358\u{00A0}\(area)\u{00A0}\(rest)"
        case 14: return "0\(nsn) ext 12"
        default: return "+358-\(area)-\(head)-\(tail)"
        }
    }

    /// A foreign number written with its country code.
    private mutating func foreignNumber() -> String {
        let a = digits(3)
        let b = digits(4)
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return "+46 8 \(a) \(b)"
        case 1: return "+44 20 7\(a) \(b)"
        case 2: return "+372 5\(a) \(b)"
        case 3: return "+1 (212) 5\(a.prefix(2))-\(b)"
        default: return "0049 30 \(b)\(b)"
        }
    }
}

/// SplitMix64: a small, fast, deterministic generator, so every run measures the same directory.
struct BenchmarkRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
