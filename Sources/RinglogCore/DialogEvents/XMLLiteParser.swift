/// A small, tolerant XML reader for the few short documents ringlog receives (RFC 4235 dialog-info).
///
/// Why not Foundation's `XMLParser`: on Linux it lives in FoundationXML, which links libxml2 into every
/// program that uses the core, and its delegate API is event-based and class-bound. dialog-info bodies are
/// a few kilobytes of a fixed, tiny vocabulary without DTDs, so a hand-written reader is smaller, faster
/// and keeps the core free of C libraries. It handles what those bodies contain: the XML declaration,
/// comments, processing instructions, CDATA, namespace prefixes (dropped: `d:dialog` is `dialog`),
/// attributes in single or double quotes, the five predefined entities and character references.
/// It does not validate; malformed input gives an error, never a crash, and nesting and size are bounded.
struct XMLLiteElement: Equatable, Sendable {
    /// The local name, namespace prefix removed.
    var name: String
    /// Attributes by local name (prefixes removed, `xmlns` declarations dropped).
    var attributes: [String: String]
    /// Child elements in document order.
    var children: [XMLLiteElement]
    /// The element's own text (children's text not included), entities decoded, not trimmed.
    var text: String

    /// The first child named `name`.
    func child(_ name: String) -> XMLLiteElement? { children.first { $0.name == name } }

    /// Every child named `name`.
    func children(named name: String) -> [XMLLiteElement] { children.filter { $0.name == name } }

    /// The text with surrounding white space removed; `nil` when empty.
    var trimmedText: String? {
        let trimmed = text.trimmingSpaces
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}

/// Why an XML document could not be read.
struct XMLLiteError: Error, Equatable, Sendable {
    /// What was wrong, with the byte offset.
    var reason: String
}

/// The reader itself: bytes in, the root element out.
struct XMLLiteParser {
    /// Larger documents are refused: dialog-info bodies are a few kilobytes.
    static let maximumSize = 1 << 20
    /// Deeper nesting is refused: dialog-info nests five levels.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses `bytes` and returns the root element.
    static func parse(_ bytes: [UInt8]) throws(XMLLiteError) -> XMLLiteElement {
        guard bytes.count <= maximumSize else {
            throw XMLLiteError(reason: "document larger than \(maximumSize) bytes")
        }
        var parser = XMLLiteParser(bytes)
        parser.skipMisc()
        guard parser.peek(0) == UInt8(ascii: "<") else { throw parser.error("no root element") }
        let root = try parser.element(depth: 0)
        parser.skipMisc()
        guard parser.position >= parser.bytes.count else { throw parser.error("content after the root element") }
        return root
    }

    // MARK: - Structure

    private mutating func element(depth: Int) throws(XMLLiteError) -> XMLLiteElement {
        guard depth < Self.maximumDepth else { throw error("elements nested deeper than \(Self.maximumDepth)") }
        position += 1  // "<"
        let qualifiedName = name()
        guard !qualifiedName.isEmpty else { throw error("element without a name") }
        var element = XMLLiteElement(name: localName(qualifiedName), attributes: [:], children: [], text: "")
        while true {
            skipSpaces()
            guard let byte = peek(0) else { throw error("unterminated start tag <\(qualifiedName)>") }
            if byte == UInt8(ascii: "/") {
                guard peek(1) == UInt8(ascii: ">") else { throw error("expected '/>'") }
                position += 2
                return element
            }
            if byte == UInt8(ascii: ">") {
                position += 1
                break
            }
            let attributeName = name()
            guard !attributeName.isEmpty else { throw error("bad attribute in <\(qualifiedName)>") }
            skipSpaces()
            guard peek(0) == UInt8(ascii: "=") else { throw error("attribute \(attributeName) without '='") }
            position += 1
            skipSpaces()
            guard let quote = peek(0), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw error("attribute \(attributeName) without quotes")
            }
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote { position += 1 }
            guard position < bytes.count else { throw error("unterminated attribute \(attributeName)") }
            let value = try decodeEntities(bytes[start..<position])
            position += 1
            if attributeName != "xmlns" && !attributeName.hasPrefix("xmlns:") {
                element.attributes[localName(attributeName)] = value
            }
        }
        // Content until the matching end tag.
        var text: [UInt8] = []
        while true {
            guard let byte = peek(0) else { throw error("<\(qualifiedName)> is not closed") }
            if byte != UInt8(ascii: "<") {
                let start = position
                while position < bytes.count, bytes[position] != UInt8(ascii: "<") { position += 1 }
                text += Array(try decodeEntities(bytes[start..<position]).utf8)
                continue
            }
            if starts(with: "</") {
                position += 2
                let closing = name()
                skipSpaces()
                guard peek(0) == UInt8(ascii: ">") else { throw error("bad end tag </\(closing)") }
                position += 1
                guard closing == qualifiedName else {
                    throw error("</\(closing)> closes <\(qualifiedName)>")
                }
                element.text = String(decoding: text, as: UTF8.self)
                return element
            }
            if starts(with: "<![CDATA[") {
                position += 9
                let start = position
                guard let end = find("]]>") else { throw error("unterminated CDATA") }
                text += bytes[start..<end]
                position = end + 3
                continue
            }
            if starts(with: "<!--") || starts(with: "<?") {
                try skipCommentOrInstruction()
                continue
            }
            element.children.append(try self.element(depth: depth + 1))
        }
    }

    /// Skips spaces, the XML declaration, processing instructions, comments and a DOCTYPE.
    private mutating func skipMisc() {
        while true {
            skipSpaces()
            if starts(with: "<?") || starts(with: "<!--") {
                guard (try? skipCommentOrInstruction()) != nil else { return }
            } else if starts(with: "<!") {
                while position < bytes.count, bytes[position] != UInt8(ascii: ">") { position += 1 }
                position += 1
            } else {
                return
            }
        }
    }

    private mutating func skipCommentOrInstruction() throws(XMLLiteError) {
        let terminator = starts(with: "<!--") ? "-->" : "?>"
        guard let end = find(terminator) else { throw error("unterminated \(terminator == "-->" ? "comment" : "<?")") }
        position = end + terminator.utf8.count
    }

    // MARK: - Lexical helpers

    private func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private func starts(with text: String) -> Bool {
        var index = position
        for byte in text.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    private func find(_ text: String) -> Int? {
        let pattern = Array(text.utf8)
        var index = position
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0], Array(bytes[index..<(index + pattern.count)]) == pattern { return index }
            index += 1
        }
        return nil
    }

    private mutating func skipSpaces() {
        while let byte = peek(0), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func name() -> String {
        let start = position
        while let byte = peek(0), byte.isXMLNameByte { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    private func decodeEntities(_ slice: ArraySlice<UInt8>) throws(XMLLiteError) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(slice.count)
        var index = slice.startIndex
        while index < slice.endIndex {
            let byte = slice[index]
            guard byte == UInt8(ascii: "&") else {
                output.append(byte)
                index += 1
                continue
            }
            guard let semicolon = slice[index...].firstIndex(of: UInt8(ascii: ";")), semicolon - index <= 10 else {
                throw error("unterminated entity")
            }
            let entity = String(decoding: slice[(index + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "amp": output.append(UInt8(ascii: "&"))
            case "lt": output.append(UInt8(ascii: "<"))
            case "gt": output.append(UInt8(ascii: ">"))
            case "quot": output.append(UInt8(ascii: "\""))
            case "apos": output.append(UInt8(ascii: "'"))
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst(), radix: 10)
                } else {
                    value = nil
                }
                guard let value, let scalar = Unicode.Scalar(value) else { throw error("unknown entity &\(entity);") }
                output += Array(String(Character(scalar)).utf8)
            }
            index = semicolon + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func error(_ reason: String) -> XMLLiteError {
        XMLLiteError(reason: "\(reason) at byte \(position)")
    }
}

extension UInt8 {
    /// Letters, digits and `_ - . :` (and any non-ASCII byte, which XML allows in names).
    fileprivate var isXMLNameByte: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
            || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || self == UInt8(ascii: "_")
            || self == UInt8(ascii: "-") || self == UInt8(ascii: ".") || self == UInt8(ascii: ":") || self >= 0x80
    }
}
