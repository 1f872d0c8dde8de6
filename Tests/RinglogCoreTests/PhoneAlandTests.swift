import RinglogCore
import Testing

@Suite("Phone numbers: Åland (region AX inside +358)")
struct PhoneAlandTests {
    @Test(
        "Åland numbers are +358 18… with national form 018…",
        arguments: ["018 25000", "+358 18 25000", "0035818 25000", "tel:01825000;phone-context=+358", "1825000"])
    func aland(raw: String) {
        let number = finnishNormalizer.normalize(raw)
        #expect(number?.e164 == "+3581825000")
        #expect(number?.nationalFinnish == "01825000")
        #expect(number?.matchKey == "+3581825000")
    }

    @Test("a mobile of an Åland resident is an ordinary +358 mobile")
    func alandMobile() {
        #expect(finnishNormalizer.normalize("0457 123 4567")?.e164 == "+3584571234567")
    }

    @Test("018 with a subscriber number starting 0 or 9 is not valid")
    func invalidAland() {
        #expect(finnishNormalizer.normalize("018 025000") == nil)
    }
}
