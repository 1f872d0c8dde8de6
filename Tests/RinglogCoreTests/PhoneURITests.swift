import RinglogCore
import Testing

@Suite("Phone numbers: tel: and sip: URIs and name-addr")
struct PhoneURITests {
    @Test(
        "URIs and name-addr around a Finnish mobile",
        arguments: [
            "tel:+358401234567", "TEL:+358-40-123-4567", "tel:0401234567;phone-context=+358",
            "tel:0401234567;phone-context=+358 ", "tel:401234567;phone-context=+358-",
            "tel:0401234567;phone-context=example.com", "sip:+358401234567@pbx.example.com;user=phone",
            "sips:+358401234567@192.168.1.20:5060;user=phone", "sip:0401234567@10.0.0.1",
            "sip:00358401234567@10.0.0.1", "sip:%2B358401234567@pbx", "sip:+358401234567;isub=1@pbx",
            "\"Anna\" <sip:0401234567@pbx>", "\"Päivi Korhonen\" <sip:+358401234567@pbx.local>;tag=1",
            "Anna <tel:+358401234567>", "\"Matti\" <0401234567>", "  sip:+358401234567@pbx  ",
        ])
    func uris(raw: String) {
        #expect(finnishNormalizer.normalize(raw)?.e164 == "+358401234567")
    }

    @Test("a word ending in 'sip:' is a label, not a SIP URI")
    func sipInsideWord() {
        #expect(finnishNormalizer.normalize("Gossip: 040 123 4567")?.e164 == "+358401234567")
    }

    @Test("a phone-context gives its country to a local number")
    func foreignContext() {
        #expect(finnishNormalizer.normalize("tel:0701234567;phone-context=+46")?.e164 == "+46701234567")
    }

    @Test("SIP URIs without a user, or with a PBX extension as user, give no number")
    func noUser() {
        #expect(finnishNormalizer.normalize("sip:pbx.example.com") == nil)
        #expect(finnishNormalizer.normalize("sip:240@192.168.1.20:5060") == nil)
        #expect(finnishNormalizer.normalize("sip:@pbx.example.com") == nil)
    }
}
