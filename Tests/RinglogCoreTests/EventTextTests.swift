import RinglogCore
import Testing

@Suite("Event text: cutting and escaping")
struct EventTextTests {
    @Test("text within the limit is unchanged")
    func short() {
        let text = String(repeating: "a", count: 256)
        #expect(EventText.truncate(text) == text)
        #expect(EventText.truncate("") == "")
    }

    @Test("a cut keeps 255 characters and adds the ellipsis: 256 in all")
    func cutCounts() {
        let cut = EventText.truncate(String(repeating: "b", count: 257))
        #expect(cut.count == 256)
        #expect(cut.hasSuffix("…"))
        #expect(cut.dropLast() == Substring(String(repeating: "b", count: 255)))
    }

    @Test(
        "multi-byte and emoji text is cut on grapheme boundaries",
        arguments: [
            "ä", "€", "漢", "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇮", "e\u{301}", "क्षि", "👩🏻‍💻",
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
        ])
    func graphemes(unit: String) {
        let text = String(repeating: unit, count: 300)
        let cut = EventText.truncate(text)
        #expect(cut.count == 256)
        #expect(cut.hasSuffix("…"))
        // Every character kept is a whole unit: nothing was split inside a grapheme.
        #expect(cut.dropLast().allSatisfy { String($0) == unit })
        #expect(cut.unicodeScalars.count == 255 * unit.unicodeScalars.count + 1)
    }

    @Test("a mixed text keeps a prefix of the original's characters")
    func mixedPrefix() {
        let text = (0..<100).map { $0 % 3 == 0 ? "👩🏻‍💻" : $0 % 3 == 1 ? "å" : "x" }.joined()
        let cut = EventText.truncate(text, limit: 50)
        #expect(cut.count == 50)
        #expect(Array(text).prefix(49) == Array(cut).prefix(49)[...])
    }

    @Test("spaces before the ellipsis are dropped")
    func trailingSpaces() {
        #expect(EventText.truncate("abc   defgh", limit: 6) == "abc…")
    }

    @Test("escaping after cutting never splits an entity")
    func escapeAfterCut() {
        let text = String(repeating: "&", count: 300)
        let note = EventText.noteHTML(text)
        #expect(note == String(repeating: "&amp;", count: 255) + "…")
        #expect(EventText.escapeHTML(#"<a href="x">'"#) == "&lt;a href=&quot;x&quot;&gt;&#39;")
        #expect(EventText.noteHTML("a\nb<") == "a<br>b&lt;")
    }
}
