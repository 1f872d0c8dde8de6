/// Recognises the start line of a SIP message: a request line (`INVITE sip:bob@example.com SIP/2.0`)
/// or a status line (`SIP/2.0 180 Ringing`). Everything else a capture carries (RTP, RTCP, DNS, keep-alives)
/// fails the first byte or two, so non-SIP traffic is skipped cheaply.
enum SIPStartLine {
    /// What the start of a byte buffer says about it being a SIP message.
    enum Verdict: Equatable {
        /// A complete SIP request or status line.
        case sip
        /// Not SIP.
        case notSIP
        /// So far it could be SIP, but the start line is not complete yet (stream data).
        case needMoreData
    }

    /// The longest start line accepted; longer ones are treated as not SIP.
    static let maximumLength = 4096
    private static let version: [UInt8] = Array("SIP/2.0".utf8)

    /// Whether `bytes` (a whole datagram or message) starts with a SIP start line.
    static func isSIPMessage(_ bytes: ArraySlice<UInt8>) -> Bool {
        verdict(for: bytes) == .sip
    }

    /// Classifies the start of `bytes`, which may be an incomplete stream prefix.
    static func verdict(for bytes: ArraySlice<UInt8>) -> Verdict {
        guard let first = bytes.first else { return .needMoreData }
        guard first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return .notSIP }
        if bytes.count >= 8, bytes.starts(withASCII: "SIP/2.0 ") {
            return statusLineVerdict(bytes)
        }
        if bytes.count < 8, version.starts(with: bytes) {
            return .needMoreData
        }
        return requestLineVerdict(bytes)
    }

    private static func statusLineVerdict(_ bytes: ArraySlice<UInt8>) -> Verdict {
        for offset in 8..<11 {
            guard let digit = bytes.byte(at: offset) else { return .needMoreData }
            guard isDigit(digit) else { return .notSIP }
        }
        guard let after = bytes.byte(at: 11) else { return .needMoreData }
        return after == UInt8(ascii: " ") || after == UInt8(ascii: "\r") || after == UInt8(ascii: "\n")
            ? .sip : .notSIP
    }

    private static func requestLineVerdict(_ bytes: ArraySlice<UInt8>) -> Verdict {
        // Method: an upper-case token, then one space.
        var offset = 0
        while let byte = bytes.byte(at: offset), isMethodCharacter(byte) {
            offset += 1
            if offset > 32 { return .notSIP }
        }
        guard let space = bytes.byte(at: offset) else { return .needMoreData }
        guard offset > 0, space == UInt8(ascii: " ") else { return .notSIP }
        offset += 1
        // Request-URI: a scheme (letters), a colon, then no white space.
        let schemeStart = offset
        while let byte = bytes.byte(at: offset), isLetter(byte) {
            offset += 1
            if offset - schemeStart > 8 { return .notSIP }
        }
        guard let colon = bytes.byte(at: offset) else { return .needMoreData }
        guard offset > schemeStart, colon == UInt8(ascii: ":") else { return .notSIP }
        while let byte = bytes.byte(at: offset), byte != UInt8(ascii: " ") {
            guard byte > 0x20, byte < 0x7f else { return .notSIP }
            offset += 1
            if offset > maximumLength { return .notSIP }
        }
        guard bytes.byte(at: offset) != nil else { return .needMoreData }
        offset += 1
        // Version, then the end of the line.
        for (index, expected) in version.enumerated() {
            guard let byte = bytes.byte(at: offset + index) else { return .needMoreData }
            guard byte == expected else { return .notSIP }
        }
        guard let end = bytes.byte(at: offset + version.count) else { return .needMoreData }
        return end == UInt8(ascii: "\r") || end == UInt8(ascii: "\n") ? .sip : .notSIP
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isMethodCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }
}
