import RinglogCore
import Testing

@Suite("ringlog normalize report lines")
struct PhoneNormalizeReportTests {
    @Test("raw, E.164 and national form, tab separated")
    func fields() {
        #expect(
            NormalizeReport.line(for: "040 123 4567", using: finnishNormalizer)
                == "040 123 4567\t+358401234567\t0401234567")
        #expect(NormalizeReport.line(for: "+46812345678", using: finnishNormalizer) == "+46812345678\t+46812345678\t")
        #expect(NormalizeReport.line(for: "112", using: finnishNormalizer) == "112\t\t112")
        #expect(NormalizeReport.line(for: "anonymous", using: finnishNormalizer) == "anonymous\t\t")
        #expect(NormalizeReport.line(for: "", using: finnishNormalizer) == "\t\t")
    }

    @Test(
        "tabs and line breaks inside the raw string become spaces: always one line of three fields",
        arguments: ["a\tb", "a\rb", "a\u{0B}b", "a\u{0C}b", "a\u{85}b", "a\u{2028}b", "a\u{2029}b", "a\u{1C}b"])
    func oneLine(raw: String) {
        let line = NormalizeReport.line(for: raw, using: finnishNormalizer)
        #expect(line == "a b\t\t")
    }

    @Test("other Unicode is kept as it was")
    func unicodeKept() {
        let raw = "\u{202A}0203 973 97\u{202C} (työ)"
        #expect(NormalizeReport.line(for: raw, using: finnishNormalizer) == raw + "\t+35820397397\t020397397")
    }
}
