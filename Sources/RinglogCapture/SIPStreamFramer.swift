/// Splits a reassembled byte stream (SIP over TCP or SCTP-less streams) into SIP messages using the
/// `Content-Length` header (compact form `l`), as RFC 3261 section 18.3 requires for stream transports.
enum SIPStreamFramer {
    /// The result of looking at the start of a stream buffer.
    enum Frame: Equatable {
        /// A complete message of this many bytes starts the buffer (after `skipped` keep-alive bytes).
        case message(skipped: Int, length: Int)
        /// Only keep-alive line breaks so far; drop `skipped` bytes and wait.
        case needMoreData(skipped: Int)
        /// The buffer does not start with a SIP message, or its framing is unusable: resynchronise.
        case invalid
    }

    /// Finds the first message in `buffer`, refusing messages longer than `maximumLength`.
    static func frame(_ buffer: ArraySlice<UInt8>, maximumLength: Int) -> Frame {
        var skipped = 0
        while let byte = buffer.byte(at: skipped), byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
            skipped += 1
        }
        guard let message = buffer.dropping(skipped) else { return .invalid }
        switch SIPStartLine.verdict(for: message) {
        case .notSIP: return .invalid
        case .needMoreData: return .needMoreData(skipped: skipped)
        case .sip: break
        }
        guard let headerEnd = headerEnd(in: message, limit: maximumLength) else {
            return message.count > maximumLength ? .invalid : .needMoreData(skipped: skipped)
        }
        guard let bodyLength = contentLength(in: message.prefix(headerEnd)) else { return .invalid }
        let length = headerEnd + bodyLength
        guard length <= maximumLength else { return .invalid }
        return message.count >= length ? .message(skipped: skipped, length: length) : .needMoreData(skipped: skipped)
    }

    /// The offset just past the blank line that ends the headers (`CRLF CRLF`, or bare `LF LF`).
    static func headerEnd(in bytes: ArraySlice<UInt8>, limit: Int) -> Int? {
        let newline = UInt8(ascii: "\n")
        var offset = 0
        let end = Swift.min(bytes.count, limit)
        while offset < end {
            if bytes[bytes.startIndex + offset] == newline {
                if bytes.byte(at: offset + 1) == newline { return offset + 2 }
                if bytes.byte(at: offset + 1) == UInt8(ascii: "\r"), bytes.byte(at: offset + 2) == newline {
                    return offset + 3
                }
            }
            offset += 1
        }
        return nil
    }

    /// The `Content-Length` (or `l`) value in a header block; 0 when absent, `nil` when malformed.
    static func contentLength(in headers: ArraySlice<UInt8>) -> Int? {
        var lineStart = headers.startIndex
        while lineStart < headers.endIndex {
            let lineEnd = headers[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? headers.endIndex
            let line = headers[lineStart..<lineEnd]
            if let value = headerValue(named: "content-length", compact: "l", in: line) {
                return parseLength(value)
            }
            lineStart = lineEnd + 1
        }
        return 0
    }

    private static func headerValue(named name: String, compact: String, in line: ArraySlice<UInt8>)
        -> ArraySlice<UInt8>?
    {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        var nameEnd = colon
        while nameEnd > line.startIndex, line[nameEnd - 1] == UInt8(ascii: " ") || line[nameEnd - 1] == 9 {
            nameEnd -= 1
        }
        let field = line[line.startIndex..<nameEnd]
        guard equalsIgnoringCase(field, name) || equalsIgnoringCase(field, compact) else { return nil }
        return line[(colon + 1)...]
    }

    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: String) -> Bool {
        guard bytes.count == lowercase.utf8.count else { return false }
        return zip(bytes, lowercase.utf8).allSatisfy { byte, expected in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == expected
        }
    }

    private static func parseLength(_ value: ArraySlice<UInt8>) -> Int? {
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == 9 || $0 == UInt8(ascii: "\r") }
        let digits = value.drop(while: isBlank).reversed().drop(while: isBlank)
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var result = 0
        for byte in digits.reversed() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }
}
