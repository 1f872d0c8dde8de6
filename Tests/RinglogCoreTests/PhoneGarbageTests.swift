import RinglogCore
import Testing

@Suite("Phone numbers: things that are not phone numbers")
struct PhoneGarbageTests {
    @Test(
        "dates, business and personal IDs, postal codes, codes glued to words, placeholders",
        arguments: [
            "2024-01-15", "23.10.1992", "20.9.2021", "1.1.24", "12/31/2024", "31/12/2024", "1234567-8",
            "010190-123A", "010190A123B", "55396 Tampere", "00100 Helsinki", "FI21 1234 5600 0007 85",
            "A5", "jkrl", "n/a", "*", "x", "000", "call reception", "matti@example.com", "sip:@pbx.example.com",
            "040 12", "050 5", "+358 5 2", "374582995060233485649", "+80 15021304", "011 2765413",
        ])
    func notPhoneNumbers(raw: String) {
        #expect(finnishNormalizer.normalize(raw) == nil)
    }

    @Test("numbers that only look like dates by their separators stay numbers")
    func dateLikeNumbers() {
        #expect(finnishNormalizer.normalize("040.947.8671")?.e164 == "+358409478671")
        #expect(finnishNormalizer.normalize("02/603196")?.e164 == "+3582603196")
        #expect(finnishNormalizer.normalize("040-926-924")?.e164 == "+35840926924")
    }

    @Test("labels before and words after a number are skipped")
    func labels() {
        #expect(finnishNormalizer.normalize("Puh. 019 478 760")?.e164 == "+35819478760")
        #expect(finnishNormalizer.normalize("Matkapuhelin: +358 2 729 52 80")?.e164 == "+35827295280")
        #expect(finnishNormalizer.normalize("040 012 4387 (työ)")?.e164 == "+358400124387")
        #expect(finnishNormalizer.normalize("03 476 196 / vaihde")?.e164 == "+3583476196")
        #expect(finnishNormalizer.normalize("=\"0406516830\"")?.e164 == "+358406516830")
        #expect(finnishNormalizer.normalize("'040 987 8573")?.e164 == "+358409878573")
    }

    @Test("two numbers in one field give the first")
    func twoNumbers() {
        #expect(finnishNormalizer.normalize("040 496 01 68 tai 09 64262613")?.e164 == "+358404960168")
        #expect(finnishNormalizer.normalize("+3584571254632 / +35861571874")?.e164 == "+3584571254632")
    }

    @Test("a spreadsheet float suffix is dropped")
    func spreadsheetFloat() {
        #expect(finnishNormalizer.normalize("358401234567.0")?.e164 == "+358401234567")
        #expect(finnishNormalizer.normalize("35892505881.0")?.e164 == "+35892505881")
    }
}
