import RinglogCore
import Testing

@Suite("Phone numbers: foreign numbers are checked against their own plan")
struct PhoneForeignLengthTests {
    @Test(
        "valid foreign numbers",
        arguments: [
            PhoneCase("+44 (0)20 7946 0018", "+442079460018"),
            PhoneCase("+46 (0)8 123 456 78", "+46812345678"),
            PhoneCase("+1 (212) 555-0123", "+12125550123"),
            PhoneCase("+372 5123 4567", "+37251234567"),
            PhoneCase("+49 160 1056886", "+491601056886"),
            PhoneCase("0049\u{200B}160\u{200B}1226012", "+491601226012"),
            PhoneCase("00 91 74104 13887", "+917410413887"),
            PhoneCase("+7 301 128-08-47", "+73011280847"),
            PhoneCase("+86 131 2370 7334", "+8613123707334"),
            PhoneCase("+819012347098", "+819012347098"),
            PhoneCase("+33 1 23 72 67 17", "+33123726717"),
            PhoneCase("+800 1234 5678", "+80012345678"),
        ])
    func valid(sample: PhoneCase) {
        let number = finnishNormalizer.normalize(sample.raw)
        #expect(number?.e164 == sample.e164)
        #expect(number?.nationalFinnish == nil)
    }

    @Test(
        "too short, too long, unused ranges and unknown country codes are rejected",
        arguments: [
            "+61 21234", "+1 016 832 9461", "+39 0810863783444", "+80 15021304", "+46 8 1", "+44 20 7946 0018 123",
            "+358 50 9244104 65", "+358 44 2734760 8214", "+0 123456", "+",
        ])
    func invalid(raw: String) {
        #expect(finnishNormalizer.normalize(raw) == nil)
    }

    @Test(
        "more than E.164's 15 digits has no E.164 form, even where libphonenumber's lengths allow it",
        arguments: ["0049 537 12004904404", "+49 5371 2004904404", "+49 5371 200490440"])
    func longerThanE164(raw: String) {
        let number = finnishNormalizer.normalize(raw)
        let digits = number?.e164.map { $0.utf8.count - 1 } ?? 0
        #expect(digits <= 15, "\(raw) → \(number?.e164 ?? "nil")")
    }
}
