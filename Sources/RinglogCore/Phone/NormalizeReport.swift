/// The line format of `ringlog normalize`: `raw<TAB>e164<TAB>national`, one line per input line.
public enum NormalizeReport {
    /// Renders the report line for one input line (without its line end).
    ///
    /// Tabs and anything a reader could take for a line end (CR, LF, VT, FF, the information
    /// separators, NEL, U+2028, U+2029) inside `raw` are shown as spaces, so every input line gives
    /// exactly one output line of exactly three fields.
    public static func line(for raw: String, using normalizer: PhoneNumberNormalizer) -> String {
        let number = normalizer.normalize(raw)
        let e164 = number?.e164 ?? ""
        let national = number?.nationalFinnish ?? ""
        var line = String()
        line.reserveCapacity(raw.utf8.count + e164.utf8.count + national.utf8.count + 2)
        if needsSpaces(raw) {
            line.unicodeScalars.append(contentsOf: raw.unicodeScalars.map { isBreak($0) ? " " : $0 })
        } else {
            line += raw
        }
        line += "\t"
        line += e164
        line += "\t"
        line += national
        return line
    }

    /// Whether `raw` holds a tab or a line-breaking character (checked on bytes: cheap when not).
    private static func needsSpaces(_ raw: String) -> Bool {
        if let found = raw.utf8.withContiguousStorageIfAvailable({ needsSpaces(utf8: $0) }) { return found }
        return Array(raw.utf8).withUnsafeBufferPointer { needsSpaces(utf8: $0) }
    }

    private static func needsSpaces(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte >= 0x20 && byte < 0x80 { continue }
            if (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x1E) { return true }
            if byte == 0xC2 && index < bytes.count && bytes[index] == 0x85 { return true }
            if byte == 0xE2 && index + 1 < bytes.count && bytes[index] == 0x80
                && (bytes[index + 1] == 0xA8 || bytes[index + 1] == 0xA9)
            {
                return true
            }
        }
        return false
    }

    private static func isBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
