import RinglogCore
import Testing

@Suite("Phone numbers: Italy keeps its leading 0")
struct PhoneItalyTests {
    @Test("the 0 of an Italian fixed line is part of the number")
    func leadingZero() {
        let number = finnishNormalizer.normalize("+39 02 1234 5678")
        #expect(number?.e164 == "+390212345678")
        #expect(number?.nationalFinnish == nil)
        #expect(finnishNormalizer.normalize("0039 06 1234 5678")?.e164 == "+390612345678")
    }

    @Test("a (0) after +39 stays too, as libphonenumber reads it")
    func parenthesisedZero() {
        #expect(finnishNormalizer.normalize("+39 (0)312 345 6789")?.e164 == "+3903123456789")
    }

    @Test("Italian mobiles have no 0")
    func mobile() {
        #expect(finnishNormalizer.normalize("+39 348 550 5753")?.e164 == "+393485505753")
    }

    @Test("with Italy as default region a national number keeps its 0")
    func italianDefaultRegion() {
        #expect(PhoneNumberNormalizer(region: "IT").normalize("02 1234 5678")?.e164 == "+390212345678")
    }
}
