/// A compiled `extension_pattern`: a regular expression that must match a whole extension number.
///
/// The patterns sites write — digits, `\d`, digit classes (`[0-9]`, `[1-5]`, `[135]`), counts (`{3}`,
/// `{2,4}`, `{2,}`, `?`, `*`, `+`) and alternatives (`1\d{3}|2\d{2}`), optionally inside one group
/// (`(…)` or `(?:…)`) and between `^` and `$` — are matched by a small matcher over ASCII digits. Any other
/// pattern is compiled with the standard library's `Regex`. The small matcher keeps the regular-expression
/// engine's code (about 0.6 MB resident once a pattern is compiled) out of a daemon's memory; `\d` matches
/// ASCII digits only there, which is what SIP user parts carry.
public struct ExtensionPattern: Sendable {
    /// The pattern as written.
    public let source: String
    private let matcher: Matcher
    /// For a digit pattern, the fewest and the most bytes any of its alternatives matches: most texts asked
    /// about that do not match (a number in international form, for one) are told apart by length alone.
    private let digitLengths: (minimum: Int, maximum: Int)?

    private enum Matcher: Sendable {
        case digits([DigitSequence])
        case regex(CompiledRegex)
    }

    /// Compiles a pattern.
    /// - Throws: ``ExtensionPatternError`` when it is not a valid regular expression.
    public init(_ pattern: String) throws(ExtensionPatternError) {
        source = pattern
        if let alternatives = DigitSequence.alternatives(of: pattern) {
            matcher = .digits(alternatives)
            digitLengths = (
                alternatives.map(\.minimumLength).min() ?? 0, alternatives.map(\.maximumLength).max() ?? Int.max
            )
            return
        }
        digitLengths = nil
        do {
            matcher = .regex(CompiledRegex(try Regex(pattern)))
        } catch {
            throw ExtensionPatternError(pattern: pattern, reason: "\(error)")
        }
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        if let digitLengths {
            let length = text.utf8.count
            if length < digitLengths.minimum || length > digitLengths.maximum { return false }
        }
        switch matcher {
        case .digits(let alternatives):
            let bytes = text.utf8
            return alternatives.contains { $0.matches(bytes) }
        case .regex(let compiled):
            return (try? compiled.regex.wholeMatch(in: text)) != nil
        }
    }

    /// Whether the pattern is matched without the standard library's regular-expression engine.
    public var isDigitPattern: Bool {
        if case .digits = matcher { return true }
        return false
    }
}

/// An extension pattern that is not a valid regular expression.
public struct ExtensionPatternError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public var pattern: String
    /// What the regular-expression parser said.
    public var reason: String

    /// What is wrong and an example of what to write.
    public var description: String {
        "'\(pattern)' is not a valid regular expression (\(reason)); e.g. \"1\\\\d{3}\" (as written in JSON) for 1000-1999"
    }
}

/// A compiled `Regex`, shared between threads.
private final class CompiledRegex: @unchecked Sendable {
    // Invariant: `regex` is never mutated after init, and matching does not mutate it; the standard library
    // just does not mark `Regex<AnyRegexOutput>` Sendable.
    let regex: Regex<AnyRegexOutput>

    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}

/// One alternative of a digit pattern: a sequence of digit sets, each repeated between a minimum and a
/// maximum number of times.
private struct DigitSequence: Sendable {
    struct Element: Sendable {
        /// Bit `d` set: the ASCII digit `d` matches.
        var digits: UInt16
        var minimum: Int
        var maximum: Int
    }

    var elements: [Element]
    /// The fewest and the most bytes a matching text has (`Int.max` when unbounded): most texts that do not
    /// match, such as a number in international form tested against an extension pattern, fail on length.
    private(set) var minimumLength = 0
    private(set) var maximumLength = 0

    private static let anyDigit: UInt16 = 0x3FF
    private static let maximumElements = 64
    private static let maximumCount = 64

    /// The alternatives of `pattern` when it is a digit pattern (see ``ExtensionPattern``), else `nil`.
    static func alternatives(of pattern: String) -> [DigitSequence]? {
        var body = Substring(pattern).utf8[...]
        if body.first == UInt8(ascii: "^") { body = body.dropFirst() }
        // An escaped `\$` leaves a lone backslash, which no digit pattern has: it goes to `Regex` as written.
        if body.last == UInt8(ascii: "$") { body = body.dropLast() }
        if body.first == UInt8(ascii: "(") && body.last == UInt8(ascii: ")") {
            body = body.dropFirst().dropLast()
            if body.starts(with: "?:".utf8) { body = body.dropFirst(2) }
            // `(1)|(2)` is two groups, not one around everything: the inside must hold no parenthesis.
            guard !body.contains(UInt8(ascii: "(")) && !body.contains(UInt8(ascii: ")")) else { return nil }
        }
        var alternatives: [DigitSequence] = []
        for part in body.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false) {
            var part = part
            if part.first == UInt8(ascii: "^") { part = part.dropFirst() }
            if part.last == UInt8(ascii: "$") { part = part.dropLast() }
            guard let sequence = DigitSequence(part) else { return nil }
            alternatives.append(sequence)
        }
        return alternatives.isEmpty ? nil : alternatives
    }

    /// Parses one alternative; `nil` when it uses anything but digits, `\d`, digit classes and counts.
    private init?(_ pattern: Substring.UTF8View.SubSequence) {
        let bytes = Array(pattern)
        var elements: [Element] = []
        var index = 0
        while index < bytes.count {
            let digits: UInt16
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits = 1 << UInt16(bytes[index] - UInt8(ascii: "0"))
                index += 1
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "d") else { return nil }
                digits = Self.anyDigit
                index += 2
            case UInt8(ascii: "["):
                guard let (set, next) = Self.digitClass(bytes, from: index + 1) else { return nil }
                digits = set
                index = next
            default:
                return nil
            }
            guard let (minimum, maximum, next) = Self.count(bytes, from: index) else { return nil }
            index = next
            elements.append(Element(digits: digits, minimum: minimum, maximum: maximum))
            guard elements.count <= Self.maximumElements else { return nil }
        }
        guard !elements.isEmpty else { return nil }
        self.elements = elements
        for element in elements {
            minimumLength += element.minimum
            maximumLength =
                maximumLength == Int.max || element.maximum == Int.max ? Int.max : maximumLength + element.maximum
        }
    }

    /// A class such as `[0-9]` or `[135]` from just after its `[`: its digits and the index after its `]`.
    private static func digitClass(_ bytes: [UInt8], from start: Int) -> (UInt16, Int)? {
        var set: UInt16 = 0
        var index = start
        while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
            guard let low = digit(bytes[index]) else { return nil }
            if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "-"), bytes[index + 2] != UInt8(ascii: "]") {
                guard let high = digit(bytes[index + 2]), low <= high else { return nil }
                for value in low...high { set |= 1 << value }
                index += 3
            } else {
                set |= 1 << low
                index += 1
            }
        }
        guard index < bytes.count, set != 0 else { return nil }
        return (set, index + 1)
    }

    /// The count after an atom (`{n}`, `{n,m}`, `{n,}`, `?`, `*`, `+`, or none): minimum, maximum and the
    /// index after it. Lazy and possessive counts (`+?`, `*+`) are left to `Regex`.
    private static func count(_ bytes: [UInt8], from start: Int) -> (Int, Int, Int)? {
        guard start < bytes.count else { return (1, 1, start) }
        let unbounded = Int.max
        var result: (Int, Int, Int)
        switch bytes[start] {
        case UInt8(ascii: "?"): result = (0, 1, start + 1)
        case UInt8(ascii: "*"): result = (0, unbounded, start + 1)
        case UInt8(ascii: "+"): result = (1, unbounded, start + 1)
        case UInt8(ascii: "{"):
            guard let close = bytes[start...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
            let inside = bytes[(start + 1)..<close].split(
                separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard (1...2).contains(inside.count), let minimum = number(inside[0]) else { return nil }
            let maximum: Int
            if inside.count == 1 {
                maximum = minimum
            } else if inside[1].isEmpty {
                maximum = unbounded
            } else {
                guard let value = number(inside[1]), value >= minimum else { return nil }
                maximum = value
            }
            guard minimum <= maximumCount, maximum == unbounded || maximum <= maximumCount else { return nil }
            result = (minimum, maximum, close + 1)
        default:
            return (1, 1, start)
        }
        if result.2 < bytes.count, bytes[result.2] == UInt8(ascii: "?") || bytes[result.2] == UInt8(ascii: "+") {
            return nil
        }
        return result
    }

    private static func digit(_ byte: UInt8) -> UInt16? {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        return UInt16(byte - UInt8(ascii: "0"))
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 4 else { return nil }
        var value = 0
        for byte in bytes {
            guard let digit = digit(byte) else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Whether the whole of `text` matches: the set of lengths matched so far, element by element.
    func matches(_ text: String.UTF8View) -> Bool {
        let length = text.count
        guard length >= minimumLength && length <= maximumLength else { return false }
        guard length < 64 else { return matchesLong(Array(text)) }
        var reachable: UInt64 = 1
        return text.withContiguousStorageIfAvailable { buffer in
            for element in elements {
                reachable = Self.step(reachable, element, buffer)
                if reachable == 0 { return false }
            }
            return reachable & (1 << UInt64(length)) != 0
        } ?? matchesLong(Array(text))
    }

    /// The lengths reachable after `element`, from the lengths in `reachable` (bit `n`: `n` bytes matched).
    private static func step(_ reachable: UInt64, _ element: Element, _ text: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var next: UInt64 = 0
        var remaining = reachable
        while remaining != 0 {
            let start = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            forEachEnd(of: element, from: start, in: text) { next |= 1 << UInt64($0) }
        }
        return next
    }

    /// Calls `body` with every length the text can have matched once `element` has matched from `start`.
    private static func forEachEnd(
        of element: Element, from start: Int, in text: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Void
    ) {
        if element.minimum == 0 { body(start) }
        var run = 0
        while run < element.maximum, start + run < text.count, accepts(element.digits, text[start + run]) {
            run += 1
            if run >= element.minimum { body(start + run) }
        }
    }

    private static func accepts(_ digits: UInt16, _ byte: UInt8) -> Bool {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
        return digits & (1 << UInt16(byte - UInt8(ascii: "0"))) != 0
    }

    /// The same for text of 64 bytes or more, with a list of flags instead of a bit set.
    private func matchesLong(_ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { text in
            var reachable = [Bool](repeating: false, count: text.count + 1)
            reachable[0] = true
            for element in elements {
                var next = [Bool](repeating: false, count: text.count + 1)
                for start in reachable.indices where reachable[start] {
                    Self.forEachEnd(of: element, from: start, in: text) { next[$0] = true }
                }
                reachable = next
            }
            return reachable[text.count]
        }
    }
}
