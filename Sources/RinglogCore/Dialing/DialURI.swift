/// What a click on a phone link hands to `ringlog dial`: a `tel:`, `callto:`, `sip:`/`sips:` URI or a bare
/// number, reduced to the text the phone-number normaliser reads.
public enum DialURI {
    /// The number part of `raw`, percent-decoded, URI parameters removed; `nil` when there is none.
    ///
    /// - `tel:+358-40-123 4567;phone-context=…` → `+358-40-123 4567`
    /// - `callto:+358401234567`, `callto://+358401234567` → `+358401234567`
    /// - `sip:0401234567@pbx.example.com;user=phone` → `0401234567` (the user part)
    /// - `0401234567`, `+358 40 123 4567` → unchanged apart from surrounding spaces
    ///
    /// Any other scheme (`http:`, `mailto:`) and a `sip:` URI without a user part give `nil`.
    public static func numberText(from raw: String) -> String? {
        var text = raw.trimmingSpaces
        if text.hasPrefix("<"), text.hasSuffix(">") { text = text.dropFirst().dropLast() }  // <sip:…> as copied
        guard !text.isEmpty else { return nil }
        var rest: Substring
        var isSIP = false
        if let scheme = schemePrefix(of: text) {
            rest = text.dropFirst(scheme.count + 1)
            switch scheme {
            case "tel": break
            case "callto":
                while rest.hasPrefix("/") { rest = rest.dropFirst() }
            case "sip", "sips":
                isSIP = true
            default:
                return nil
            }
        } else {
            rest = text
        }
        if isSIP {
            guard let at = rest.firstIndex(of: "@") else { return nil }
            rest = rest[..<at]
            // user parameters: sip:0401234567;isub=1@host
            if let semicolon = rest.firstIndex(of: ";") { rest = rest[..<semicolon] }
        } else if let semicolon = rest.firstIndex(of: ";") {
            rest = rest[..<semicolon]
        }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        guard let decoded = percentDecoded(rest) else { return nil }
        let result = String(decoded.trimmingSpaces)
        return result.isEmpty ? nil : result
    }

    /// The lower-cased scheme of `text` when it starts with one ringlog knows or that looks like one
    /// (letters, then `:`); `nil` for a bare number such as `+358 40 123` or `040:123`.
    private static func schemePrefix(of text: Substring) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let candidate = text[..<colon]
        guard !candidate.isEmpty,
            candidate.unicodeScalars.allSatisfy({
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z")
            })
        else { return nil }
        return candidate.lowercased()
    }

    /// `%2B` → `+`, `%20` → space; `nil` for a broken escape or bytes that are not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
