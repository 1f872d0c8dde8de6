import RinglogCore
import Testing

@Suite("Extension patterns")
struct ExtensionPatternTests {
    static let digitPatterns = [
        #"1\d{3}"#, "2[0-9][0-9]", #"^1\d{3}$"#, #"1\d{3}|2\d{2}"#, #"^(1\d{3}|2\d{2})$"#, #"(?:[1-5]\d{2})"#,
        #"\d{2,4}"#, #"\d{3,}"#, #"9?\d{3}"#, #"1\d*"#, #"7\d+"#, "[135]00", #"^1\d{3}$|^2\d{2}$"#, "0{2}1",
        #"[0-3][4-9]\d{0,2}"#, #"\d{0}5"#,
    ]
    static let regexPatterns = [
        #"(1|2)\d{2}"#, #"1\d{3}|"#, #"\d{2,4}?"#, #"[^0]\d{2}"#, #"ext-\d+"#, #"\*\d{2}"#, "1[0-9a]", #"\d{,3}"#,
        #"(1\d{3})|(2\d{2})"#, #"1\d{100}"#, #"\$1"#, ".{4}",
    ]
    static let texts = [
        "", "1", "12", "100", "199", "200", "299", "1000", "1001", "1999", "2000", "10011", "9100", "7", "71",
        "7123456789", "500", "300", "001", "01", "12a", "a123", "+358401234567", "1002-0x559f57310cc0", "5", "35",
        "3512", "0 1", "١٢٣٤", String(repeating: "1", count: 63), String(repeating: "1", count: 64),
        String(repeating: "7", count: 200),
    ]

    @Test("digit patterns are matched without the regular-expression engine", arguments: digitPatterns)
    func digitPatternsAvoidTheEngine(pattern: String) throws {
        #expect(try ExtensionPattern(pattern).isDigitPattern)
    }

    @Test("other valid patterns go to Regex", arguments: regexPatterns)
    func otherPatternsUseRegex(pattern: String) throws {
        #expect(try !ExtensionPattern(pattern).isDigitPattern)
    }

    @Test("the digit matcher agrees with Regex on whole matches of ASCII text", arguments: digitPatterns)
    func digitMatcherAgreesWithRegex(pattern: String) throws {
        let compiled = try ExtensionPattern(pattern)
        let regex = try Regex(pattern)
        for text in Self.texts where text.utf8.allSatisfy({ $0 < 0x80 }) {
            let expected = (try regex.wholeMatch(in: text)) != nil
            #expect(compiled.matches(text) == expected, "\(pattern) on \(text)")
        }
    }

    @Test("\\d matches ASCII digits only in the digit matcher")
    func asciiDigitsOnly() throws {
        #expect(try !ExtensionPattern(#"\d{4}"#).matches("١٢٣٤"))
        #expect(try ExtensionPattern(#"\d{4}"#).matches("1234"))
    }

    @Test("patterns given to Regex match the whole text", arguments: regexPatterns)
    func regexPatternsMatchWholeText(pattern: String) throws {
        let compiled = try ExtensionPattern(pattern)
        let regex = try Regex(pattern)
        for text in Self.texts {
            #expect(compiled.matches(text) == ((try regex.wholeMatch(in: text)) != nil), "\(pattern) on \(text)")
        }
    }

    @Test("an invalid pattern names itself and shows a valid one", arguments: ["1(\\d", "[12", "1\\d{3}(", "*"])
    func invalidPattern(pattern: String) {
        #expect(throws: ExtensionPatternError.self) { try ExtensionPattern(pattern) }
        do {
            _ = try ExtensionPattern(pattern)
        } catch {
            #expect(error.description.hasPrefix("'\(pattern)' is not a valid regular expression ("))
            #expect(error.description.contains(#""1\\d{3}""#))
        }
    }
}
