import RinglogCore
import Testing

@Suite("Phone numbers: the PBX outside-line prefix")
struct PhoneOutsideLinePrefixTests {
    let pbx = PhoneNumberNormalizer(region: .finland, outsideLinePrefix: "0")

    @Test("0 + a national number is that national number, not an international call")
    func outsideLineZero() {
        #expect(pbx.normalize("00401234567")?.e164 == "+358401234567")
        #expect(finnishNormalizer.normalize("00401234567") == nil)  // +40 1234567 is not a valid Romanian number
    }

    @Test("0 + an international number keeps its country")
    func outsideLineInternational() {
        #expect(pbx.normalize("000468123456 78")?.e164 == "+46812345678")
        #expect(pbx.normalize("0046812345678")?.e164 == "+46812345678")
    }

    @Test("numbers without the prefix and with + are unaffected")
    func withoutPrefix() {
        #expect(pbx.normalize("0401234567")?.e164 == "+358401234567")
        #expect(pbx.normalize("+46812345678")?.e164 == "+46812345678")
        #expect(pbx.normalize("112")?.nationalFinnish == "112")
    }

    @Test("short numbers keep their digits as dialled; with the prefix before them they are still found")
    func shortNumbers() {
        #expect(pbx.normalize("075111")?.nationalFinnish == "075111")
        #expect(pbx.normalize("0112")?.nationalFinnish == "112")
        #expect(pbx.normalize("0112")?.e164 == nil)
    }

    @Test("another prefix digit")
    func outsideLineNine() {
        let nine = PhoneNumberNormalizer(region: .finland, outsideLinePrefix: "9")
        #expect(nine.normalize("90401234567")?.e164 == "+358401234567")
        #expect(nine.normalize("0401234567")?.e164 == "+358401234567")
    }
}
