import RinglogCore
import Testing

@Suite("Phone numbers: Finnish short numbers")
struct PhoneShortNumberTests {
    @Test(
        "short numbers keep their digits as national form and have no E.164",
        arguments: [
            ("112", "112"), (" 112 ", "112"), ("116117", "116117"), ("116 000", "116000"),
            ("0751 11", "075111"), ("075100", "075100"), ("0752 99", "075299"), ("12345", "12345"),
        ])
    func short(raw: String, national: String) {
        let number = finnishNormalizer.normalize(raw)
        #expect(number?.e164 == nil)
        #expect(number?.nationalFinnish == national)
        #expect(number?.kind == .short)
        #expect(number?.matchKey == nil)
    }

    @Test("not short numbers: 118 is not in the metadata, PBX extensions are internal, + is not national")
    func notShort() {
        for raw in ["118", "116999", "201", "1001", "9731", "sip:1001@pbx", "+358 112", "0112"] {
            #expect(finnishNormalizer.normalize(raw) == nil, "\(raw)")
        }
    }

    @Test("short numbers are Finnish: another default region does not know them")
    func onlyInFinland() {
        #expect(PhoneNumberNormalizer(region: "SE").normalize("116117") == nil)
    }
}
