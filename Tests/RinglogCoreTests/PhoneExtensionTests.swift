import RinglogCore
import Testing

@Suite("Phone numbers: extensions are split off and kept")
struct PhoneExtensionTests {
    @Test(
        "extension markers",
        arguments: [
            "040 123 4567 ext 12", "040 123 4567 ext. 12", "040 123 4567 EXT12", "040 123 4567 extension 12",
            "040 123 4567 x12", "040 123 4567 x 12", "040 123 4567 #12", "040 123 4567;ext=12",
            "040 123 4567, 12", "040 123 4567 (ext. 12)", "040 123 4567 p12", "040 123 4567 sis. 12",
            "040 123 4567 sis 12", "0401234567 - 12", "tel:+358401234567;ext=12",
        ])
    func markers(raw: String) {
        let number = finnishNormalizer.normalize(raw)
        #expect(number?.e164 == "+358401234567")
        #expect(number?.extensionDigits == "12")
    }

    @Test("a number without an extension has none")
    func none() {
        #expect(finnishNormalizer.normalize("040 123 4567")?.extensionDigits == nil)
    }

    @Test("a comma before a second number is not an extension")
    func commaBeforeSecondNumber() {
        let number = finnishNormalizer.normalize("044 636 6949, +358503280561")
        #expect(number?.e164 == "+358446366949")
        #expect(number?.extensionDigits == nil)
    }

    @Test("an extension alone is no number")
    func extensionAlone() {
        #expect(finnishNormalizer.normalize("Ext. 7784") == nil)
        #expect(finnishNormalizer.normalize("x 0401234567") == nil)
    }
}
