import RinglogCore
import Testing

/// `ringlog dial` with the real phone-number normaliser. These pass once `PhoneNumberNormalizer` is
/// implemented; with its stub (which understands nothing) they fail.
@Suite("Dial: clicked links through the phone-number normaliser")
struct DialNormalizationTests {
    @Test(
        "E.164 dialling (the default)",
        arguments: [
            ("tel:+358401234567", "+358401234567"),
            ("tel:+358-40-123-4567", "+358401234567"),
            ("callto:0401234567", "+358401234567"),
            ("sip:0401234567@pbx.example.com", "+358401234567"),
            ("040 123 4567", "+358401234567"),
            ("+46 8 123 456 78", "+46812345678"),
        ])
    func e164(raw: String, expected: String) throws {
        #expect(try DialPlan().target(for: raw).dialString == expected)
    }

    @Test(
        "national dialling behind the outside-line prefix 0",
        arguments: [
            ("tel:+358401234567", "00401234567"),
            ("0401234567", "00401234567"),
            ("tel:+46812345678", "00046812345678"),
        ])
    func national(raw: String, expected: String) throws {
        let plan = DialPlan(outsideLinePrefix: "0", dialPrefix: "0", numberFormat: .national)
        #expect(try plan.target(for: raw).dialString == expected)
    }
}
