import RinglogCore
import Testing

@Suite("Name-addr user parts")
struct NameAddressUserTests {
    @Test(
        "the user part of sip, sips and tel URIs in any case; nil for other schemes and missing users",
        arguments: [
            ("sip:0401234567@pbx;user=phone", "0401234567"), ("SIP:1001@pbx", "1001"),
            ("Sips:alice:secret@pbx", "alice"), ("sip:1001;x=y@pbx", "1001"), ("1001@pbx", "1001"),
            ("tel:+358401234567;phone-context=example.com", "+358401234567"), ("TEL:", ""),
            ("http://user@host", nil), ("sip:pbx.example.com", nil), ("sip:@pbx", nil), ("", nil),
            ("sip:ä1001@pbx", "ä1001"), ("sïp:1001@pbx", nil), ("tel:+358\u{301}40", "+358\u{301}40"),
        ] as [(String, String?)])
    func user(uri: String, expected: String?) {
        #expect(NameAddress(uri: uri).user == expected)
    }
}
