import RinglogCore
import Testing

@Suite("Phone numbers: Unicode spaces, marks, dashes and digits")
struct PhoneUnicodeNoiseTests {
    @Test(
        "separators and invisible marks of every kind are ignored",
        arguments: [
            "040\u{00A0}123\u{00A0}4567",  // no-break space
            "040\u{202F}123\u{202F}4567",  // narrow no-break space
            "040\u{2009}123\u{2009}4567",  // thin space
            "040\u{3000}123\u{2007}4567",  // ideographic and figure space
            "\u{200E}040 123 4567",  // left-to-right mark
            "\u{202A}040 123 4567\u{202C}",  // embedding
            "\u{2066}040 123 4567\u{2069}",  // isolate
            "\u{FEFF}040 123 4567",  // byte order mark
            "040\u{200B}123\u{200B}4567",  // zero-width space
            "040\u{00AD}1234567",  // soft hyphen
            "040\u{2011}123\u{2011}4567",  // non-breaking hyphen
            "040\u{2013}1234567",  // en dash
            "040\u{2212}1234567",  // minus sign
            "040_1234567",
            "\u{FF0B}358 40 123 4567",  // fullwidth plus
            "\u{FF10}\u{FF14}\u{FF10}\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}\u{FF17}",  // fullwidth digits
            "\u{0660}\u{0664}\u{0660}\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}",  // Arabic-Indic
            "\u{06F0}\u{06F4}\u{06F0}\u{06F1}\u{06F2}\u{06F3}\u{06F4}\u{06F5}\u{06F6}\u{06F7}",  // Persian
            "\u{0966}\u{096A}\u{0966}\u{0967}\u{0968}\u{0969}\u{096A}\u{096B}\u{096C}\u{096D}",  // Devanagari
            "\u{FF08}040\u{FF09} 123 4567",  // fullwidth parentheses
            " \t040 123 4567\u{00A0} ",
        ])
    func noise(raw: String) {
        #expect(finnishNormalizer.normalize(raw)?.e164 == "+358401234567")
    }

    @Test("invalid UTF-8 reads as a letter and does not crash")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x30, 0x34, 0x30, 0x20, 0xFF, 0x31]
        let number = bytes.withUnsafeBufferPointer { finnishNormalizer.normalize(utf8: $0) }
        #expect(number == nil)
        let truncated: [UInt8] = Array("0401234567 ".utf8) + [0xE2, 0x80]
        #expect(truncated.withUnsafeBufferPointer { finnishNormalizer.normalize(utf8: $0) }?.e164 == "+358401234567")
    }

    @Test("input over 250 characters is not read")
    func overlong() {
        let note = String(repeating: "soita takaisin ", count: 17) + "0401234567"
        #expect(note.unicodeScalars.count > 250)
        #expect(finnishNormalizer.normalize(note) == nil)
        let label = String(repeating: "ä", count: 200) + " 0401234567"
        #expect(finnishNormalizer.normalize(label)?.e164 == "+358401234567")
    }
}
