import CRe

/// libre strings are `struct pl`: a pointer into the message buffer and a length, not NUL-terminated.
extension pl {
    /// The bytes as a string (invalid UTF-8 repaired), or `nil` when unset or empty.
    var text: String? {
        guard let start = p, l > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: l), as: UTF8.self)
    }

    /// A display name as libre delimits it (`"Anna"` or `Anna`), without the quotes, quoted pairs
    /// unescaped and white space runs shown as one space; `nil` when empty.
    var displayName: String? {
        guard var name = text?.collapsingWhiteSpace else { return nil }
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            var unquoted = ""
            var escaping = false
            for character in name.dropFirst().dropLast() {
                if !escaping && character == "\\" {
                    escaping = true
                    continue
                }
                escaping = false
                unquoted.append(character)
            }
            name = unquoted
        }
        return name.isEmpty ? nil : name
    }

    /// The value split at commas that are outside double quotes and angle brackets, each part trimmed;
    /// the parts still point into the same buffer. Used for headers libre keeps as whole lines.
    var topLevelCommaSeparated: [pl] {
        guard let start = p, l > 0 else { return [] }
        let bytes = UnsafeRawBufferPointer(start: start, count: l)
        var parts: [pl] = []
        var partStart = 0
        var inQuotes = false
        var escaping = false
        var angleDepth = 0
        for (index, byte) in bytes.enumerated() {
            if inQuotes {
                if escaping {
                    escaping = false
                } else if byte == UInt8(ascii: "\\") {
                    escaping = true
                } else if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inQuotes = true
            case UInt8(ascii: "<"): angleDepth += 1
            case UInt8(ascii: ">"): angleDepth = max(0, angleDepth - 1)
            case UInt8(ascii: ",") where angleDepth == 0:
                parts.append(pl(p: start + partStart, l: index - partStart).trimmed)
                partStart = index + 1
            default: break
            }
        }
        parts.append(pl(p: start + partStart, l: l - partStart).trimmed)
        return parts.filter { $0.l > 0 }
    }

    /// Without leading and trailing spaces, tabs, CR and LF.
    var trimmed: pl {
        guard let start = p else { return self }
        var first = 0
        var end = l
        func isWhiteSpace(_ offset: Int) -> Bool {
            let byte = UInt8(bitPattern: start[offset])
            return byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
        }
        while first < end, isWhiteSpace(first) { first += 1 }
        while end > first, isWhiteSpace(end - 1) { end -= 1 }
        return pl(p: start + first, l: end - first)
    }
}

extension String {
    /// Each run of spaces, tabs, CR and LF (header folding included) as one space, trimmed at both ends.
    var collapsingWhiteSpace: String {
        split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            .joined(separator: " ")
    }
}
