import RinglogCore
import Testing

@Suite("Phone numbers: withheld caller IDs give no number")
struct PhoneWithheldTests {
    @Test(
        "withheld tokens",
        arguments: [
            "", " ", "\u{00A0}", "anonymous", "Anonymous", "restricted", "Restricted", "PRIVATE", "private",
            "unavailable", "Unavailable", "unknown", "withheld", "CLIR", "sip:anonymous@anonymous.invalid",
            "\"Anonymous\" <sip:anonymous@anonymous.invalid>", "sip:restricted@pbx.example.com",
            "unknown@unknown.invalid", "tel:anonymous",
        ])
    func withheld(raw: String) {
        #expect(finnishNormalizer.normalize(raw) == nil)
    }
}
