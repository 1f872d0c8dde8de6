import Foundation
import RinglogCore
import Testing

/// One row of Fixtures/phone-samples.tsv (see the fixture's header for the columns).
struct PhoneSample: CustomTestStringConvertible, Sendable {
    let line: Int
    let raw: String
    let expectedE164: String
    let expectedNational: String
    let category: String
    let expectedExtension: String
    let alternativeE164: String

    var testDescription: String { "line \(line) [\(category)] \(raw.debugDescription.prefix(60))" }

    /// All rows of the fixture, in file order.
    static let all: [PhoneSample] = {
        guard let url = Bundle.module.url(forResource: "phone-samples", withExtension: "tsv", subdirectory: "Fixtures"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        var samples: [PhoneSample] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 9 else { continue }
            samples.append(
                PhoneSample(
                    line: offset + 1, raw: fields[0], expectedE164: fields[1], expectedNational: fields[2],
                    category: fields[3], expectedExtension: fields[6], alternativeE164: fields[8]))
        }
        return samples
    }()
}

@Suite("Phone samples (libphonenumber oracle, call-logging alternatives)")
struct PhoneSampleTests {
    static let normalizer = PhoneNumberNormalizer(region: .finland)

    @Test("the fixture has all 300 rows")
    func fixtureIsComplete() {
        #expect(PhoneSample.all.count == 300)
    }

    @Test("each row gives the expected or the alternative answer", arguments: PhoneSample.all)
    func row(sample: PhoneSample) {
        let number = Self.normalizer.normalize(sample.raw)
        let e164 = number?.e164 ?? ""
        let national = number?.nationalFinnish ?? ""
        if e164 == sample.expectedE164 && national == sample.expectedNational {
            if !sample.expectedE164.isEmpty && !sample.expectedExtension.isEmpty {
                #expect(number?.extensionDigits == sample.expectedExtension)
            }
            return
        }
        // The call-logging answer: another number (national form to match), or no number at all.
        switch sample.alternativeE164 {
        case "":
            Issue.record("got '\(e164)' '\(national)', expected '\(sample.expectedE164)' '\(sample.expectedNational)'")
        case "reject":
            #expect(number == nil, "got '\(e164)' '\(national)', expected '\(sample.expectedE164)' or no number")
        case let alternative:
            let alternativeNational = alternative.hasPrefix("+358") ? "0" + alternative.dropFirst(4) : ""
            #expect(
                e164 == alternative && national == alternativeNational,
                "got '\(e164)' '\(national)', expected '\(sample.expectedE164)' or '\(alternative)'")
        }
    }

    @Test("the E.164 form alone is the full normalisation's, for every row and in every region")
    func e164Alone() {
        let extra = [
            "112", "+358 40 012 4387 ext 12", "0408044754 - 42", "040 123 4567 / 050 765 4321", "tel:+358401234567",
            "sip:0401234567@pbx", "", "abc", "+1 650 253 0000", "00358401234567",
        ]
        for region in [RegionCode.finland, "SE", "US"] as [RegionCode] {
            let normalizer = PhoneNumberNormalizer(region: region, outsideLinePrefix: "0")
            for raw in PhoneSample.all.map(\.raw) + extra {
                #expect(normalizer.e164(raw) == normalizer.normalize(raw)?.e164, "\(raw.debugDescription)")
            }
        }
    }
}
