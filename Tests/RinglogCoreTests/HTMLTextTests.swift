import RinglogCore
import Testing

@Suite("HTML text")
struct HTMLTextTests {
    @Test(
        "unescape reverses escape, also for Call-IDs with markup characters",
        arguments: ["a84b4c76e66710@pc33.example.com", "x<y>&\"z'", "&amp; already", "", "& alone", "&#39"])
    func roundTrip(text: String) {
        #expect(HTMLText.unescape(HTMLText.escape(text)) == text)
    }

    @Test("unescape leaves unknown entities and lone ampersands as they are")
    func unknownEntities() {
        #expect(HTMLText.unescape("a &nbsp; b & c &lt;") == "a &nbsp; b & c <")
        #expect(HTMLText.escape("<b>") == "&lt;b&gt;")
    }
}
