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
    /// The length of `SIP/2.0`.
    private static let versionLength = 7

    /// Whether `bytes` (a whole datagram or message) starts with a SIP start line.
    static func isSIPMessage(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { verdict(for: $0) } == .sip
    }

    /// Whether `bytes` (a whole datagram or message) starts with a SIP start line.
    static func isSIPMessage(_ bytes: UnsafeRawBufferPointer) -> Bool {
        verdict(for: bytes) == .sip
    }

    /// Whether `bytes` (a whole datagram) starts with a SIP start line: the answer of
    /// ``isSIPMessage(_:)-(UnsafeRawBufferPointer)``, with the usual lines read a word at a time (a status
    /// line; a request whose method has at most seven capitals and whose URI starts with `sip:`). Any other
    /// line, and any line that ends too near the end of `bytes` or too far from its start, gets the general
    /// verdict.
    @inline(__always)
    static func isSIPDatagram(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.littleEndianWord(at: 0) else { return isSIPMessage(bytes) }
        if first == statusLinePrefix {
            // `SIP/2.0 ` then three digits and a space or line end, as statusLineVerdict reads it.
            guard let next = bytes.littleEndianWord(at: 4) else { return isSIPMessage(bytes) }
            let code = next >> 32  // Bytes 8-11, byte 8 lowest.
            let after = UInt8(truncatingIfNeeded: code >> 24)
            return isDigit(UInt8(truncatingIfNeeded: code)) && isDigit(UInt8(truncatingIfNeeded: code >> 8))
                && isDigit(UInt8(truncatingIfNeeded: code >> 16))
                && (after == UInt8(ascii: " ") || after == UInt8(ascii: "\r") || after == UInt8(ascii: "\n"))
        }
        // The method: one to seven capitals, then the space (the general method loop stops there too).
        let methodLength = leadingCapitalCount(first)
        guard methodLength > 0, methodLength < 8,
            UInt8(truncatingIfNeeded: first >> UInt64(8 * methodLength)) == UInt8(ascii: " "),
            let scheme = bytes.littleEndianWord(at: methodLength + 1), scheme & 0xffff_ffff == sipSchemeWord
        else { return isSIPMessage(bytes) }
        // From the URI's colon on, the first byte that is a space, a control character or beyond ASCII: the
        // lowest byte flagged by the word test is exact (a borrow or carry only goes up from a flagged byte).
        var offset = methodLength + 4
        var end: Int?
        while offset < maximumLength - 16, let word = bytes.littleEndianWord(at: offset) {
            let outside = bytesOutsideVisibleASCII(word)
            if outside != 0 {
                end = offset + outside.trailingZeroBitCount / 8
                break
            }
            offset += 8
        }
        // `end` is below `bytes.count` (it is inside a word that was read).
        guard let end else { return isSIPMessage(bytes) }
        guard bytes[end] == UInt8(ascii: " ") else { return false }
        // The version and the line end, as requestLineVerdict reads them.
        guard let version = bytes.littleEndianWord(at: end + 1) else { return isSIPMessage(bytes) }
        let lineEnd = UInt8(truncatingIfNeeded: version >> 56)
        return version & 0x00ff_ffff_ffff_ffff == versionWord
            && (lineEnd == UInt8(ascii: "\r") || lineEnd == UInt8(ascii: "\n"))
    }

    /// `sip:` in the low 4 bytes of a little-endian word.
    private static let sipSchemeWord: UInt64 = 0x3a70_6973

    /// Classifies the start of `bytes`, which may be an incomplete stream prefix.
    static func verdict(for bytes: ArraySlice<UInt8>) -> Verdict {
        bytes.withUnsafeBytes { verdict(for: $0) }
    }

    /// `SIP/2.0 ` as a little-endian word (the first byte lowest), compared with 8 bytes at once.
    private static let statusLinePrefix: UInt64 = 0x2030_2e32_2f50_4953
    /// `SIP/2.0` in the low 7 bytes of a little-endian word.
    private static let versionWord: UInt64 = 0x0030_2e32_2f50_4953

    /// Classifies the start of `bytes`, which may be an incomplete stream prefix.
    static func verdict(for bytes: UnsafeRawBufferPointer) -> Verdict {
        guard let first = bytes.byte(at: 0) else { return .needMoreData }
        guard first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return .notSIP }
        if let word = bytes.littleEndianWord(at: 0) {
            if word == statusLinePrefix { return statusLineVerdict(bytes) }
        } else if isPrefixOfVersion(bytes) {
            return .needMoreData
        }
        return requestLineVerdict(bytes)
    }

    /// Whether all of `bytes` (fewer than 8) are the start of `SIP/2.0`.
    private static func isPrefixOfVersion(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= versionLength else { return false }
        for (index, byte) in bytes.enumerated() where versionByte(index) != byte { return false }
        return true
    }

    private static func statusLineVerdict(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        for offset in 8..<11 {
            guard let digit = bytes.byte(at: offset) else { return .needMoreData }
            guard isDigit(digit) else { return .notSIP }
        }
        guard let after = bytes.byte(at: 11) else { return .needMoreData }
        return after == UInt8(ascii: " ") || after == UInt8(ascii: "\r") || after == UInt8(ascii: "\n")
            ? .sip : .notSIP
    }

    private static func requestLineVerdict(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        // Method: an upper-case token, then one space. The leading capitals of the first eight bytes are
        // counted at once; the byte loop goes on from there.
        var offset = bytes.littleEndianWord(at: 0).map(leadingCapitalCount) ?? 0
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
        // Eight bytes at a time while none of them is a space, a control character or beyond ASCII; the
        // byte loop below then looks at the rest.
        while offset + 8 <= maximumLength, let word = bytes.littleEndianWord(at: offset),
            !hasByteOutsideVisibleASCII(word)
        {
            offset += 8
        }
        while let byte = bytes.byte(at: offset), byte != UInt8(ascii: " ") {
            guard byte > 0x20, byte < 0x7f else { return .notSIP }
            offset += 1
            if offset > maximumLength { return .notSIP }
        }
        guard bytes.byte(at: offset) != nil else { return .needMoreData }
        offset += 1
        // Version, then the end of the line.
        if let word = bytes.littleEndianWord(at: offset) {
            guard word & 0x00ff_ffff_ffff_ffff == versionWord else { return .notSIP }
            let end = UInt8(truncatingIfNeeded: word >> 56)
            return end == UInt8(ascii: "\r") || end == UInt8(ascii: "\n") ? .sip : .notSIP
        }
        for index in 0..<versionLength {
            guard let byte = bytes.byte(at: offset + index) else { return .needMoreData }
            guard byte == versionByte(index) else { return .notSIP }
        }
        guard let end = bytes.byte(at: offset + versionLength) else { return .needMoreData }
        return end == UInt8(ascii: "\r") || end == UInt8(ascii: "\n") ? .sip : .notSIP
    }

    /// How many of the bytes of `word`, lowest first, are `A`-`Z` before the first one that is not. Each byte
    /// is tested on its own (7-bit additions cannot carry into the next byte), so the count is exact.
    private static func leadingCapitalCount(_ word: UInt64) -> Int {
        let lowBits: UInt64 = 0x7f7f_7f7f_7f7f_7f7f
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low = word & lowBits
        let atLeastA = (low &+ ones &* (0x80 - 0x41)) & highBits  // Low 7 bits >= "A".
        let aboveZ = (low &+ ones &* (0x7f - 0x5a)) & highBits  // Low 7 bits > "Z".
        let capitals = atLeastA & ~aboveZ & ~word & highBits  // ... and the top bit clear.
        return (~capitals & highBits).trailingZeroBitCount / 8
    }

    /// Whether any of the 8 bytes in `word` is below 0x21 (space and control characters) or above 0x7e
    /// (DEL and non-ASCII): the classic "has less" and "has more" word tests, exact as yes/no answers.
    private static func hasByteOutsideVisibleASCII(_ word: UInt64) -> Bool {
        bytesOutsideVisibleASCII(word) != 0
    }

    /// The top bit of each byte of `word` that the tests of ``hasByteOutsideVisibleASCII(_:)`` flag. A byte
    /// above a flagged one may be flagged wrongly, but the lowest flagged byte is the first such byte.
    @inline(__always)
    private static func bytesOutsideVisibleASCII(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- ones &* 0x21) & ~word & highBits
        let above = ((word &+ ones) | word) & highBits
        return below | above
    }

    /// Byte `index` (0-6) of `SIP/2.0`.
    private static func versionByte(_ index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: versionWord >> UInt64(8 * index))
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
