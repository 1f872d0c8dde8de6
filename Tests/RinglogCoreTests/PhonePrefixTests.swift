import RinglogCore
import Testing

@Suite("Phone numbers: international, national and operator prefixes")
struct PhonePrefixTests {
    @Test(
        "every way of writing one Finnish mobile gives the same E.164",
        arguments: [
            "+358401234567", "+358 40 123 4567", "00358401234567", "00 358 40 123 4567", "358401234567",
            "0401234567", "040-123 4567", "401234567", "+358 (0)40 123 4567", "+358 040 123 4567",
            "00358 (0)40 1234567", "(+358) 40 123 4567", "+ 358 40 123 4567", "990 358 40 123 4567",
            "994358401234567", "999 358 401234567", "99511 358 401234567",
        ])
    func finnishMobile(raw: String) {
        #expect(finnishNormalizer.normalize(raw)?.e164 == "+358401234567")
        #expect(finnishNormalizer.normalize(raw)?.nationalFinnish == "0401234567")
    }

    @Test(
        "operator prefixes 99x / 99xxx reach foreign numbers",
        arguments: [
            PhoneCase("990 46 8 123 456 78", "+46812345678"),
            PhoneCase("99046812345678", "+46812345678"),
            PhoneCase("994 46 70 123 45 67", "+46701234567"),
            PhoneCase("99043 664 123960", "+43664123960"),
            PhoneCase("99559 44 20 7946 0018", "+442079460018"),
        ])
    func operatorPrefixes(sample: PhoneCase) {
        #expect(finnishNormalizer.normalize(sample.raw)?.e164 == sample.e164)
    }

    @Test("a 0 typed before the country code, or the code written twice, still gives the number")
    func repeatedCountryCode() {
        #expect(finnishNormalizer.normalize("0358 40 1234567")?.e164 == "+358401234567")
        #expect(finnishNormalizer.normalize("+358 358 40 1234567")?.e164 == "+358401234567")
    }

    @Test("000 is not an international prefix: country codes never start with 0")
    func tripleZero() {
        #expect(finnishNormalizer.normalize("000") == nil)
    }

    @Test("a geographic number without its trunk 0 is read with it")
    func missingTrunkZero() {
        #expect(finnishNormalizer.normalize("9 310 1691")?.e164 == "+35893101691")
        #expect(finnishNormalizer.normalize("(09) 310 1691")?.nationalFinnish == "093101691")
    }

    @Test("a foreign national form without + stays Finnish when it is a valid Finnish number")
    func foreignNationalFormsAreReadAsFinnish() {
        #expect(finnishNormalizer.normalize("020 7946 0018")?.e164 == "+3582079460018")
        #expect(finnishNormalizer.normalize("46812345678") == nil)
    }

    @Test("another default region reads national numbers in its own plan")
    func otherDefaultRegion() {
        let swedish = PhoneNumberNormalizer(region: "SE")
        #expect(swedish.normalize("070-123 45 67")?.e164 == "+46701234567")
        #expect(swedish.normalize("070-123 45 67")?.nationalFinnish == nil)
        #expect(swedish.normalize("00358401234567")?.e164 == "+358401234567")
        #expect(PhoneNumberNormalizer(region: "US").normalize("011 358 40 123 4567")?.e164 == "+358401234567")
    }

    @Test("a region without metadata still reads numbers with +")
    func unknownRegion() {
        let unknown = PhoneNumberNormalizer(region: "ZZ")
        #expect(unknown.normalize("+358401234567")?.e164 == "+358401234567")
        #expect(unknown.normalize("0401234567") == nil)
    }

    @Test("changing the region of a normaliser takes effect")
    func changingRegion() {
        var normalizer = PhoneNumberNormalizer(region: "SE")
        normalizer.region = .finland
        #expect(normalizer.normalize("0401234567")?.e164 == "+358401234567")
    }
}
