/// What ``PhoneTextScanner`` found in a cleaned string: the digits of the first number, whether
/// they are international (`+`, or a `tel:` context), and its extension.
struct ScannedPhoneText {
    /// The number was written with `+` (or its `tel:` phone-context supplies one).
    var hasPlus = false
    /// How many digits the scanner wrote (may exceed the buffer: then the number is too long).
    var digitCount = 0
    /// How many extension digits the scanner wrote.
    var extensionCount = 0
    /// Digits before a spaced ` - ` or ` / ` (0 when there is none): the number to try when all
    /// digits together are not valid (`0408044754 - 42`).
    var boundaryDigitCount = 0
    /// Whether that boundary is a dash, whose trailing digits are then the extension.
    var boundaryIsDash = false
}

/// Finds the phone number in cleaned text (see ``PhoneTextCleaner``): unwraps name-addr, `sip:`,
/// `sips:` and `tel:` URIs, skips labels, splits off extensions, and refuses dates, business IDs
/// and postal codes. Works in place on caller-provided buffers; allocates nothing.
struct PhoneTextScanner {
    /// Capacity of the digit buffer.
    static let digitCapacity = 40
    /// Capacity of the extension buffer.
    static let extensionCapacity = 16

    private let text: UnsafeMutablePointer<UInt8>
    private let digits: UnsafeMutablePointer<UInt8>
    private let extensionDigits: UnsafeMutablePointer<UInt8>
    private(set) var result = ScannedPhoneText()

    /// Creates a scanner over `text` that writes digit values (0…9) to `digits` and `extensionDigits`.
    init(
        text: UnsafeMutablePointer<UInt8>, digits: UnsafeMutablePointer<UInt8>,
        extensionDigits: UnsafeMutablePointer<UInt8>
    ) {
        self.text = text
        self.digits = digits
        self.extensionDigits = extensionDigits
    }

    // MARK: Character classes

    private static let space = UInt8(ascii: " ")
    private static let plus = UInt8(ascii: "+")

    @inline(__always) private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always) private static func isLetter(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "a") < 26 || byte == PhoneTextCleaner.otherLetter
    }

    // MARK: Entry point

    /// Scans the first `count` bytes of the text. Returns `false` when they hold no phone number.
    /// Without `hasURIMarks` (no `:` or `<` in the text) URIs and name-addr are not looked for.
    mutating func scan(count: Int, hasURIMarks: Bool) -> Bool {
        var lower = 0
        var upper = count
        trim(&lower, &upper)
        guard lower < upper else { return false }
        guard hasURIMarks else { return scanFreeText(lower, upper) }
        if let open = find(UInt8(ascii: "<"), lower, upper), let close = find(UInt8(ascii: ">"), open + 1, upper) {
            lower = open + 1
            upper = close
            trim(&lower, &upper)
        }
        if let userStart = sipUserStart(lower, upper) {
            // The user part of a SIP URI: up to '@', without ';' parameters.
            guard let at = find(UInt8(ascii: "@"), userStart, upper) else { return false }
            let userEnd = find(UInt8(ascii: ";"), userStart, at) ?? at
            return scanFreeText(userStart, decodePercentPlus(userStart, userEnd))
        }
        if hasPrefix("tel:", at: lower, upper) {
            return scanTelURI(lower + 4, upper)
        }
        return scanFreeText(lower, upper)
    }

    // MARK: URIs

    /// Where the user part of the first `sip:` or `sips:` URI starts, if there is one (the scheme
    /// must not be the end of a word: "Gossip:" is a label).
    private func sipUserStart(_ lower: Int, _ upper: Int) -> Int? {
        var index = lower
        while index + 4 <= upper {
            if text[index] == UInt8(ascii: "s") && hasPrefix("sip", at: index, upper)
                && (index == lower || !Self.isLetter(text[index - 1]))
            {
                if hasPrefix("sip:", at: index, upper) { return index + 4 }
                if hasPrefix("sips:", at: index, upper) { return index + 5 }
            }
            index += 1
        }
        return nil
    }

    /// Decodes `%2b` (a percent-encoded `+`) in place; returns the new end.
    private func decodePercentPlus(_ lower: Int, _ upper: Int) -> Int {
        var read = lower
        var write = lower
        while read < upper {
            if text[read] == UInt8(ascii: "%") && hasPrefix("%2b", at: read, upper) {
                text[write] = Self.plus
                read += 3
            } else {
                text[write] = text[read]
                read += 1
            }
            write += 1
        }
        return write
    }

    /// RFC 3966: the number, then `;phone-context=` (a `+` context makes a local number global)
    /// and `;ext=`.
    private mutating func scanTelURI(_ lower: Int, _ upper: Int) -> Bool {
        let bodyEnd = find(UInt8(ascii: ";"), lower, upper) ?? upper
        var contextLower = 0
        var contextUpper = 0
        var parameter = bodyEnd
        while parameter < upper {
            let start = parameter + 1
            let end = find(UInt8(ascii: ";"), start, upper) ?? upper
            if hasPrefix("phone-context=", at: start, end) {
                contextLower = start + 14
                contextUpper = end
            } else if hasPrefix("ext=", at: start, end) {
                readExtension(start + 4, end)
            }
            parameter = end
        }
        var bodyLower = lower
        var bodyUpper = bodyEnd
        trim(&bodyLower, &bodyUpper)
        if bodyLower < bodyUpper && text[bodyLower] != Self.plus && contextLower < contextUpper
            && text[contextLower] == Self.plus
        {
            result.hasPlus = true
            for index in (contextLower + 1)..<contextUpper where Self.isDigit(text[index]) {
                appendDigit(text[index])
            }
        }
        return scanFreeText(bodyLower, bodyUpper)
    }

    // MARK: Free text

    private struct Groups {
        var count = 0
        var lengths: (Int, Int, Int, Int) = (0, 0, 0, 0)
        var starts: (Int, Int, Int, Int) = (0, 0, 0, 0)

        mutating func append(start: Int, length: Int) {
            switch count {
            case 0: (starts.0, lengths.0) = (start, length)
            case 1: (starts.1, lengths.1) = (start, length)
            case 2: (starts.2, lengths.2) = (start, length)
            case 3: (starts.3, lengths.3) = (start, length)
            default: break
            }
            count += 1
        }
    }

    private struct Separators: OptionSet {
        let rawValue: UInt8
        static let space = Separators(rawValue: 1)
        static let dash = Separators(rawValue: 2)
        static let dot = Separators(rawValue: 4)
        static let slash = Separators(rawValue: 8)
        static let parenthesis = Separators(rawValue: 16)
    }

    /// Reads the first number in free text: a label before it is skipped, separators inside it
    /// are ignored, an extension marker after it is read, and anything else ends it.
    private mutating func scanFreeText(_ lower: Int, _ upper: Int) -> Bool {
        var index = lower
        while index < upper && !Self.isDigit(text[index]) && text[index] != Self.plus {
            index += 1
        }
        guard index < upper else { return false }
        if index > lower {
            // A number glued to a word ("FI21 …", "A5") is a code, not a phone number; a number
            // after an extension word ("Ext. 7784") is an internal extension.
            if Self.isLetter(text[index - 1]) || labelEndsWithExtensionWord(lower, index) { return false }
        }
        if text[index] == Self.plus {
            result.hasPlus = true
            index += 1
        }
        let firstDigit = result.digitCount
        var groups = Groups()
        var groupLength = 0
        var separators: Separators = []
        var endedAtWord = false
        scanning: while index < upper {
            let byte = text[index]
            if Self.isDigit(byte) {
                appendDigit(byte)
                groupLength += 1
                index += 1
                continue
            }
            if groupLength > 0 {
                groups.append(start: result.digitCount - groupLength, length: groupLength)
                groupLength = 0
            }
            switch byte {
            case Self.space, UInt8(ascii: "_"):
                separators.insert(.space)
            case UInt8(ascii: "-"), UInt8(ascii: "/"):
                separators.insert(byte == UInt8(ascii: "-") ? .dash : .slash)
                let spaced =
                    (index > lower && text[index - 1] == Self.space)
                    || (index + 1 < upper && text[index + 1] == Self.space)
                if spaced && result.boundaryDigitCount == 0 && result.digitCount > firstDigit {
                    result.boundaryDigitCount = result.digitCount
                    result.boundaryIsDash = byte == UInt8(ascii: "-")
                }
            case UInt8(ascii: "."):
                separators.insert(.dot)
            case UInt8(ascii: "("), UInt8(ascii: ")"):
                separators.insert(.parenthesis)
            case UInt8(ascii: "#"):
                readExtension(index + 1, upper)
                break scanning
            case UInt8(ascii: ","):
                readExtensionIfOnlyDigits(index + 1, upper)
                break scanning
            case UInt8(ascii: ";"):
                if hasPrefix(";ext=", at: index, upper) { readExtension(index + 5, upper) }
                break scanning
            default:
                if Self.isLetter(byte) {
                    if let extensionStart = extensionAfterWord(index, upper) {
                        readExtension(extensionStart, upper)
                    } else if index > lower && Self.isDigit(text[index - 1]) {
                        return false  // digits glued to a word: "010190A123B", "12ab"
                    } else {
                        endedAtWord = true
                    }
                }
                break scanning
            }
            index += 1
        }
        if groupLength > 0 {
            groups.append(start: result.digitCount - groupLength, length: groupLength)
        }
        guard result.digitCount > firstDigit, result.digitCount <= Self.digitCapacity else { return false }
        if result.boundaryDigitCount >= result.digitCount { result.boundaryDigitCount = 0 }
        if !result.hasPlus && looksLikeDateOrIdentifier(groups, separators, endedAtWord: endedAtWord) {
            return false
        }
        // A spreadsheet float: "358401234567.0".
        if separators == .dot && groups.count == 2 && groups.lengths.1 == 1 && digits[groups.starts.1] == 0
            && groups.lengths.0 >= 7
        {
            result.digitCount -= 1
        }
        return true
    }

    /// Dates (`2024-01-15`, `23.10.1992`, `1/2/2024`), business IDs (`1234567-8`) and postal
    /// codes before a place name (`55396 Tampere`).
    private func looksLikeDateOrIdentifier(_ groups: Groups, _ separators: Separators, endedAtWord: Bool) -> Bool {
        if groups.count == 1 {
            return endedAtWord && groups.lengths.0 == 5 && separators.isSubset(of: .space)
        }
        if groups.count == 2 {
            return separators == .dash && groups.lengths.0 == 7 && groups.lengths.1 == 1
        }
        guard groups.count == 3 else { return false }
        let first = value(groups.starts.0, groups.lengths.0)
        let second = value(groups.starts.1, groups.lengths.1)
        let third = value(groups.starts.2, groups.lengths.2)
        let shortFields = groups.lengths.0 <= 2 && groups.lengths.1 <= 2
        let yearLast = groups.lengths.2 == 4 || groups.lengths.2 == 2
        func isDay(_ day: Int) -> Bool { day >= 1 && day <= 31 }
        func isMonth(_ month: Int) -> Bool { month >= 1 && month <= 12 }
        switch separators {
        case .dot, [.dot, .space]:
            return shortFields && yearLast && isDay(first) && isMonth(second)
        case .slash:
            return shortFields && yearLast
                && ((isDay(first) && isMonth(second)) || (isMonth(first) && isDay(second)))
        case .dash:
            if groups.lengths.0 == 4 && groups.lengths.1 <= 2 && groups.lengths.2 <= 2 {
                return first >= 1900 && first <= 2099 && isMonth(second) && isDay(third)
            }
            return shortFields && groups.lengths.2 == 4 && isDay(first) && isMonth(second)
        default:
            return false
        }
    }

    /// The decimal value of `length` digits from `start` (at most 9).
    private func value(_ start: Int, _ length: Int) -> Int {
        var number = 0
        for offset in 0..<min(length, 9) {
            number = number * 10 + Int(digits[start + offset])
        }
        return number
    }

    // MARK: Extensions

    /// If an extension word starts at `index` (`ext`, `ext.`, `extension`, `x`, `p`, `sis.`) and
    /// digits follow, where those digits start.
    private func extensionAfterWord(_ index: Int, _ upper: Int) -> Int? {
        var end = index
        while end < upper && Self.isLetter(text[end]) { end += 1 }
        let isMarker =
            isWord("ext", index, end) || isWord("extension", index, end) || isWord("x", index, end)
            || isWord("p", index, end) || isWord("sis", index, end) || isWord("anknytning", index, end)
        guard isMarker else { return nil }
        while end < upper
            && (text[end] == Self.space || text[end] == UInt8(ascii: ".") || text[end] == UInt8(ascii: ":")
                || text[end] == UInt8(ascii: "="))
        {
            end += 1
        }
        return end < upper && Self.isDigit(text[end]) ? end : nil
    }

    /// Whether the label before a number ends with an extension word ("Ext. ", "x ").
    private func labelEndsWithExtensionWord(_ lower: Int, _ upper: Int) -> Bool {
        var end = upper
        while end > lower && !Self.isLetter(text[end - 1]) { end -= 1 }
        var start = end
        while start > lower && Self.isLetter(text[start - 1]) { start -= 1 }
        return isWord("ext", start, end) || isWord("extension", start, end) || isWord("x", start, end)
            || isWord("sis", start, end)
    }

    /// Reads the digits of an extension from `lower`, skipping leading spaces, up to the first
    /// other character.
    private mutating func readExtension(_ lower: Int, _ upper: Int) {
        var index = lower
        while index < upper && text[index] == Self.space { index += 1 }
        result.extensionCount = 0
        while index < upper && Self.isDigit(text[index]) {
            if result.extensionCount < Self.extensionCapacity {
                extensionDigits[result.extensionCount] = text[index] &- UInt8(ascii: "0")
                result.extensionCount += 1
            }
            index += 1
        }
    }

    /// After a comma: an extension only when nothing but digits (and spaces) follows.
    private mutating func readExtensionIfOnlyDigits(_ lower: Int, _ upper: Int) {
        var index = lower
        var sawDigit = false
        while index < upper {
            let byte = text[index]
            if Self.isDigit(byte) {
                sawDigit = true
            } else if byte != Self.space {
                return
            }
            index += 1
        }
        if sawDigit { readExtension(lower, upper) }
    }

    // MARK: Helpers

    @inline(__always) private mutating func appendDigit(_ byte: UInt8) {
        if result.digitCount < Self.digitCapacity {
            digits[result.digitCount] = byte &- UInt8(ascii: "0")
        }
        result.digitCount += 1
    }

    private func trim(_ lower: inout Int, _ upper: inout Int) {
        while lower < upper && text[lower] == Self.space { lower += 1 }
        while upper > lower && text[upper - 1] == Self.space { upper -= 1 }
    }

    private func find(_ byte: UInt8, _ lower: Int, _ upper: Int) -> Int? {
        var index = lower
        while index < upper {
            if text[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// Whether the text at `index` (before `upper`) starts with the lower-case ASCII `prefix`.
    private func hasPrefix(_ prefix: StaticString, at index: Int, _ upper: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= upper else { return false }
        let bytes = prefix.utf8Start
        for offset in 0..<length where text[index + offset] != bytes[offset] {
            return false
        }
        return true
    }

    /// Whether the text from `start` to `end` is exactly `word`.
    private func isWord(_ word: StaticString, _ start: Int, _ end: Int) -> Bool {
        end - start == word.utf8CodeUnitCount && hasPrefix(word, at: start, end)
    }
}
