import RinglogCore
import Testing

@Suite("Region codes")
struct RegionCodeTests {
    @Test("two letters in any case", arguments: ["fi", "FI", "Se"])
    func accepts(text: String) {
        #expect(RegionCode(text)?.rawValue == text.uppercased())
    }

    @Test("anything else is refused", arguments: ["", "F", "FIN", "F1", "ÅX"])
    func refuses(text: String) {
        #expect(RegionCode(text) == nil)
    }
}
