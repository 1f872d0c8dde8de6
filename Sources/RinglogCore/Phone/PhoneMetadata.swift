/// The decoded phone-number metadata: digit automata for validity, national and international
/// prefixes and short numbers, and the tables that lead from regions and country codes to them.
///
/// Built once from ``PhoneMetadataTables`` and immutable afterwards, so sharing it between threads
/// is safe.
final class PhoneMetadata: Sendable {
    /// The one decoded copy, created on first use.
    static let shared = PhoneMetadata()

    /// A state of a digit automaton; state 0 is dead (no continuation can be accepted).
    typealias State = UInt16

    /// Sentinel for "no region" in ``countryMainRegion``.
    static let noRegion: UInt16 = 0xFFFF

    /// Next state per `state * 10 + digit`.
    let transitions: [State]
    /// Whether a state accepts.
    let accepting: [Bool]
    /// Country index (1-based, 0 = unknown) per country calling code 0…999.
    let countryIndexByCode: [UInt16]
    /// Validity automaton per country index - 1.
    let countryValidityStart: [State]
    /// Main region per country index - 1, or ``noRegion``.
    let countryMainRegion: [UInt16]
    /// Region letters, two per region.
    let regionLetters: [UInt8]
    /// Country calling code per region.
    let regionCountryCode: [UInt16]
    /// National prefix (for parsing) automaton per region; 0 = none.
    let regionNationalPrefixStart: [State]
    /// International prefix automaton per region; 0 = none.
    let regionInternationalPrefixStart: [State]
    /// Possible national significant number lengths per region, as a bit mask (bit n = length n).
    let regionPossibleLengths: [UInt32]
    /// Lengths dialable only locally (without an area code) per region, as a bit mask.
    let regionLocalOnlyLengths: [UInt32]
    /// Short-number automaton per region; 0 = none.
    let regionShortNumberStart: [State]
    /// Zeros of the Unicode decimal digit runs, sorted.
    let unicodeDigitZeros: [UInt32]

    private init() {
        let stateCount = PhoneMetadataTables.stateCount
        transitions = Self.decodeHex(PhoneMetadataTables.transitionsHex, width: 4, count: stateCount * 10)
        let acceptBits = Self.decodeHex(PhoneMetadataTables.acceptingHex, width: 2, count: (stateCount + 7) / 8)
        accepting = (0..<stateCount).map { acceptBits[$0 / 8] & (1 << UInt16($0 % 8)) != 0 }
        var index = [UInt16](repeating: 0, count: 1000)
        for (position, code) in PhoneMetadataTables.countryCodes.enumerated() where code < 1000 {
            index[Int(code)] = UInt16(position + 1)
        }
        countryIndexByCode = index
        countryValidityStart = PhoneMetadataTables.countryValidityStart
        countryMainRegion = PhoneMetadataTables.countryMainRegion
        regionLetters = PhoneMetadataTables.regionLetters.utf8.filter {
            $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")
        }
        regionCountryCode = PhoneMetadataTables.regionCountryCode
        regionNationalPrefixStart = PhoneMetadataTables.regionNationalPrefixStart
        regionInternationalPrefixStart = PhoneMetadataTables.regionInternationalPrefixStart
        regionPossibleLengths = PhoneMetadataTables.regionPossibleLengths
        regionLocalOnlyLengths = PhoneMetadataTables.regionLocalOnlyLengths
        regionShortNumberStart = PhoneMetadataTables.regionShortNumberStart
        unicodeDigitZeros = PhoneMetadataTables.unicodeDigitZeros
    }

    /// The table index of a region, or `nil` when libphonenumber has no metadata for it.
    func regionIndex(of region: RegionCode) -> Int? {
        let letters = Array(region.rawValue.utf8)
        guard letters.count == 2 else { return nil }
        var position = 0
        while position + 1 < regionLetters.count {
            if regionLetters[position] == letters[0] && regionLetters[position + 1] == letters[1] {
                return position / 2
            }
            position += 2
        }
        return nil
    }

    /// Decodes `count` values of `width` hexadecimal digits each, skipping line breaks and spaces.
    private static func decodeHex(_ text: String, width: Int, count: Int) -> [UInt16] {
        var values = [UInt16]()
        values.reserveCapacity(count)
        var value: UInt16 = 0
        var digits = 0
        for byte in text.utf8 {
            let nibble: UInt16
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = UInt16(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = UInt16(byte - UInt8(ascii: "a") + 10)
            default: continue
            }
            value = value << 4 | nibble
            digits += 1
            if digits == width {
                values.append(value)
                value = 0
                digits = 0
            }
        }
        precondition(values.count == count, "generated phone metadata is damaged; run scripts/generate-phone-metadata")
        return values
    }
}
