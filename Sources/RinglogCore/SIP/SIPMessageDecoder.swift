#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The byte-level SIP decoder behind ``SIPMessage/init(decoding:)``.
///
/// Every index it handles is checked against the buffer bounds, so hostile input cannot make it read outside
/// the buffer; ranges are `lower..<upper` offsets into the message bytes.
enum SIPMessageDecoder {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The headers ringlog reads.
    enum HeaderKind {
        case callID, cseq, from, to, via, contact, pAssertedIdentity, remotePartyID, diversion, historyInfo
        case referTo, referredBy, replaces, reason, contentType, contentLength
    }

    /// Which headers were seen while the message is filled in.
    private struct Fields {
        var callIDSeen = false
        var cseqSeen = false
        var cseqValid = false
        var fromValid = false
        var toValid = false
        var viaSeen = false
        /// Whether ``SIPMessage/replaces`` holds the one embedded in Refer-To, which a Replaces header's
        /// own value overrides (a plain flag keeps this struct free of references to release).
        var replacesFromReferTo = false
        var contentLength: Int?
    }

    /// Bytes a decoded message keeps after its own: header values unfolded from several lines and display
    /// names with their escapes removed, which are not ranges of the message as written.
    struct Appendix {
        /// Where the appendix starts in the message's storage (the length of the message's bytes).
        let base: Int
        var bytes: [UInt8] = []

        init(base: Int) {
            self.base = base
        }

        /// Appends `start..<end` of `source` and returns its range in the storage.
        mutating func store(_ source: Bytes, _ start: Int, _ end: Int) -> SIPLazyText {
            let offset = base + bytes.count
            if start < end { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<end])) }
            return range(offset, offset + max(0, end - start))
        }

        /// Appends the bytes `text` points to in `source` (nothing when it is absent).
        mutating func store(_ text: SIPLazyText, from source: Bytes) -> SIPLazyText {
            text.isAbsent ? text : store(source, Int(text.start), Int(text.end))
        }

        /// Appends a quoted string's text `start..<end` of `source` with its `\x` escapes replaced by `x`.
        mutating func storeUnescaped(_ source: Bytes, _ start: Int, _ end: Int) -> SIPLazyText {
            let offset = base + bytes.count
            var index = start
            while index < end {
                if source[index] == backslash && index + 1 < end { index += 1 }
                bytes.append(source[index])
                index += 1
            }
            return range(offset, base + bytes.count)
        }
    }

    /// Decodes the bytes of `array` into `message`, an empty message, which then holds the array (shared,
    /// not copied) followed by the texts that are not ranges of it as written (unfolded values, unescaped
    /// names). Returns why the bytes are not a usable message, or `nil`.
    @inline(__always) static func decode(_ array: [UInt8], into message: inout SIPMessage) -> SIPDecodingError? {
        var appendix: [UInt8] = []
        var failure: SIPDecodingError?
        array.withUnsafeBufferPointer { buffer in
            do throws(SIPDecodingError) {
                appendix = try decode(buffer, into: &message)
            } catch {
                failure = error
            }
        }
        if failure != nil { return failure }
        message.storage = appendix.isEmpty ? array : array + appendix
        return nil
    }

    /// Decodes `bytes` into `message`, an empty message (in place: a returned message would be copied on its
    /// way out). Returns the bytes to keep after `bytes` in the message's storage (usually none).
    static func decode(_ bytes: Bytes, into message: inout SIPMessage) throws(SIPDecodingError) -> [UInt8] {
        guard bytes.count <= SIPMessage.maximumEncodedSize else { throw .tooLarge(bytes.count) }
        let end = bytes.count
        var position = 0
        while position < end && (bytes[position] == cr || bytes[position] == lf) { position += 1 }
        guard position < end, let base = bytes.baseAddress else { throw .badStartLine }

        let startLineEnd = lineEnd(bytes, from: position)
        guard parseStartLine(bytes, position, trimCR(bytes, position, startLineEnd), into: &message) else {
            throw .badStartLine
        }
        position = startLineEnd + 1

        var fields = Fields()
        var appendix = Appendix(base: end)
        var bodyStart = end
        // One pass over the header lines: the name is read up to its colon, the line's end found with memchr.
        while position < end {
            let first = bytes[position]
            if first == lf {
                bodyStart = position + 1
                break
            }
            if first == cr && (position + 1 == end || bytes[position + 1] == lf) {
                bodyStart = position + 2 < end ? position + 2 : end
                break
            }
            if first == space || first == tab {
                // A folded line of a header ringlog does not read (the others take theirs along below).
                position = lineEnd(base, from: position, end) + 1
                continue
            }
            // The name runs to the line's first colon; a line without one is not a header.
            let (colon, firstWord) = colonOrLineFeed(bytes, from: position)
            guard colon < end, bytes[colon] == colonByte, let kind = nameKind(bytes, position, colon, firstWord)
            else {
                position = colon < end && bytes[colon] == lf ? colon + 1 : lineEnd(base, from: colon, end) + 1
                continue
            }
            let valueStart = colon + 1
            // `colon < end`, so `valueStart <= end`.
            var lineStop = lineEnd(base, from: valueStart, end)
            var valueEnd = trimCR(bytes, valueStart, lineStop)
            var folded = false
            // A line that starts with whitespace continues this header's value.
            // `lineStop <= end`: adding one cannot overflow.
            while lineStop &+ 1 < end && (bytes[lineStop &+ 1] == space || bytes[lineStop &+ 1] == tab) {
                let next = lineStop &+ 1
                lineStop = lineEnd(base, from: next, end)
                valueEnd = trimCR(bytes, next, lineStop)
                folded = true
            }
            if folded {
                applyFolded(kind, bytes, valueStart, valueEnd, to: &message, &fields, &appendix)
            } else {
                apply(kind, bytes, valueStart, valueEnd, to: &message, &fields, &appendix, inPlace: true)
            }
            position = lineStop &+ 1
        }

        guard fields.callIDSeen, !message.lazyCallID.isEmpty else { throw .missingHeader("Call-ID") }
        guard fields.cseqValid else { throw .missingHeader("CSeq") }
        guard fields.fromValid else { throw .missingHeader("From") }
        guard fields.toValid else { throw .missingHeader("To") }

        var bodyEnd = end
        if let length = fields.contentLength, length < end - bodyStart { bodyEnd = bodyStart + length }
        if bodyStart < bodyEnd {
            let isSDP: Bool
            switch message.lazyContentType {
            case .sdp:
                isSDP = true
            case .absent:
                isSDP =
                    bodyEnd - bodyStart >= 2 && bytes[bodyStart] == UInt8(ascii: "v")
                    && bytes[bodyStart + 1] == UInt8(ascii: "=")
            case .decoded, .given:
                isSDP = false
            }
            if isSDP { message.sdpDirection = SDPScanner.direction(bytes, bodyStart, bodyEnd) }
        }
        return appendix.bytes
    }

    /// The index of the first colon or LF at or after `start` (not negative: the header loop's position),
    /// or the buffer's end: eight bytes at a time. Also returns the eight bytes from `start` as a
    /// little-endian word when the scan read them (`nil` near the buffer's end), which hold the start of a
    /// header's name.
    @inline(always) static func colonOrLineFeed(_ bytes: Bytes, from start: Int) -> (Int, firstWord: UInt64?) {
        let end = bytes.count
        // `0 <= start`, so `0 <= index <= end - 8` before each load below.
        var index = start
        var firstWord: UInt64?
        if let base = bytes.baseAddress {
            while index <= end &- 8 {
                // `index + 8 <= end`: the word is in the buffer.
                let word = loadWord(base, index)
                if firstWord == nil { firstWord = word }
                let hits = zeroBytes(word ^ 0x3a3a_3a3a_3a3a_3a3a) | zeroBytes(word ^ 0x0a0a_0a0a_0a0a_0a0a)
                if hits != 0 { return (index &+ hits.trailingZeroBitCount &>> 3, firstWord) }
                index &+= 8
            }
        }
        while index < end && bytes[index] != colonByte && bytes[index] != lf { index += 1 }
        return (index, firstWord)
    }

    /// The eight bytes at `base + index` as a little-endian word; the caller proves they are in the buffer.
    @inline(always) private static func loadWord(_ base: UnsafePointer<UInt8>, _ index: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
    }

    /// The header named by `start..<colon` (without the whitespace before the colon), `firstWord` the eight
    /// bytes from `start` when the colon search read them: the usual name, with no whitespace before its
    /// colon, is classified from that word without reading it again.
    @inline(always) static func nameKind(_ bytes: Bytes, _ start: Int, _ colon: Int, _ firstWord: UInt64?)
        -> HeaderKind?
    {
        let length = colon &- start
        // `start < colon`: the byte before the colon is in the buffer.
        if let firstWord, length > 0, !isSpace(bytes[colon &- 1]) {
            let first = length >= 8 ? firstWord : firstWord & (UInt64.max &>> UInt64((8 &- length) &* 8))
            return headerKind(bytes, start, length, first: first)
        }
        return headerKind(bytes, start, trimTrailingSpace(bytes, start, colon))
    }

    /// The index of the first `first` or `second` byte in `start..<end`, or `end`: eight bytes at a time
    /// (a word may be read past `end`, never past the buffer; a hit there counts as none).
    @inline(__always) static func firstOf(_ first: UInt8, _ second: UInt8, _ bytes: Bytes, _ start: Int, _ end: Int)
        -> Int
    {
        let end = end < bytes.count ? end : bytes.count
        var index = start > 0 ? start : 0
        if let base = bytes.baseAddress {
            let firstWord = 0x0101_0101_0101_0101 &* UInt64(first)
            let secondWord = 0x0101_0101_0101_0101 &* UInt64(second)
            while index < end && index <= bytes.count &- 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let hits = zeroBytes(word ^ firstWord) | zeroBytes(word ^ secondWord)
                if hits != 0 {
                    let hit = index &+ hits.trailingZeroBitCount / 8
                    return hit < end ? hit : end
                }
                index &+= 8
            }
        }
        while index < end && bytes[index] != first && bytes[index] != second { index += 1 }
        return index < end ? index : end
    }

    /// The high bit of each zero byte of `word`. Exact up to the first zero byte (a borrow from it can mark
    /// bytes above it), which is all the callers use: the lowest marked byte.
    @inline(__always) private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    // MARK: Start line

    /// Reads the start line `start..<end` into `message`; `false` when it is neither a request nor a status line.
    @inline(never) private static func parseStartLine(
        _ bytes: Bytes, _ start: Int, _ end: Int, into message: inout SIPMessage
    )
        -> Bool
    {
        if end - start >= 11 && isSIPVersionPrefix(bytes, start, end) {
            // SIP/2.0 SP status SP reason
            // The first space, mostly in the first word ("SIP/2.0 ").
            var index = firstOf(space, space, bytes, start, end)
            guard index < end else { return false }
            while index < end && bytes[index] == space { index += 1 }
            guard end - index >= 3 else { return false }
            var status = 0
            for offset in 0..<3 {
                let digit = bytes[index + offset]
                guard digit >= zero && digit <= nine else { return false }
                status = status * 10 + Int(digit - zero)
            }
            index += 3
            guard status >= 100, index == end || bytes[index] == space || bytes[index] == tab else { return false }
            let reasonStart = skipSpace(bytes, index, end)
            message.isRequest = false
            message.responseStatus = status
            message.startLineText = range(reasonStart, end)
            return true
        }
        var methodEnd = start
        while methodEnd < end && isTokenByte(bytes[methodEnd]) { methodEnd += 1 }
        guard methodEnd > start, methodEnd < end, bytes[methodEnd] == space else { return false }
        let uriStart = skipSpace(bytes, methodEnd, end)
        let uriEnd = firstOf(space, space, bytes, uriStart, end)
        guard uriEnd < end, uriEnd > uriStart else { return false }
        let versionStart = skipSpace(bytes, uriEnd, end)
        guard isSIPVersionPrefix(bytes, versionStart, end) else { return false }
        message.isRequest = true
        message.requestMethod = SIPLazyMethod.decoding(bytes, start, methodEnd)
        message.startLineText = range(uriStart, uriEnd)
        return true
    }

    /// Whether `start..<end` starts with `SIP/` in any case: its first four bytes as a word, lower-cased.
    @inline(__always) private static func isSIPVersionPrefix(_ bytes: Bytes, _ start: Int, _ end: Int) -> Bool {
        end - start >= 4 && asciiLowercased(word(bytes, start, 4)) == 0x2f70_6973
    }

    // MARK: Header names

    /// The header a name `start..<end` (any case, compact forms included) names, when ringlog reads it.
    ///
    /// The name is compared as little-endian words of up to eight bytes: each constant pair is a name's
    /// lower-case ASCII bytes and a mask with 0x20 over its letters, so `word | mask == name` matches a letter
    /// in either case and any other byte exactly.
    @inline(always) static func headerKind(_ bytes: Bytes, _ start: Int, _ end: Int) -> HeaderKind? {
        let length = end - start
        return headerKind(bytes, start, length, first: word(bytes, start, length < 8 ? length : 8))
    }

    /// ``headerKind(_:_:_:)`` of the `length` bytes from `start`, `first` their first eight (all of them when
    /// fewer) as a little-endian word, the rest zero.
    @inline(always) static func headerKind(_ bytes: Bytes, _ start: Int, _ length: Int, first: UInt64) -> HeaderKind? {
        // 2 to 19 bytes in one comparison; else a compact name, or none.
        guard UInt(bitPattern: length &- 2) < 18 else {
            guard length == 1 else { return nil }
            switch UInt8(truncatingIfNeeded: first) | 0x20 {
            case UInt8(ascii: "i"): return .callID
            case UInt8(ascii: "f"): return .from
            case UInt8(ascii: "t"): return .to
            case UInt8(ascii: "v"): return .via
            case UInt8(ascii: "m"): return .contact
            case UInt8(ascii: "c"): return .contentType
            case UInt8(ascii: "l"): return .contentLength
            case UInt8(ascii: "r"): return .referTo
            case UInt8(ascii: "b"): return .referredBy
            default: return nil
            }
        }
        @inline(always) func rest(_ offset: Int, _ mask: UInt64) -> UInt64 {
            word(bytes, start + offset, length - offset < 8 ? length - offset : 8) | mask
        }
        switch length {
        case 2: return first | 0x2020 == 0x6f74 ? .to : nil
        case 3: return first | 0x20_2020 == 0x61_6976 ? .via : nil
        case 4:
            let name = first | 0x2020_2020
            return name == 0x6d6f_7266 ? .from : name == 0x7165_7363 ? .cseq : nil
        case 6: return first | 0x2020_2020_2020 == 0x6e6f_7361_6572 ? .reason : nil
        case 7:
            if first | 0x20_2000_2020_2020 == 0x64_692d_6c6c_6163 { return .callID }
            return first | 0x20_2020_2020_2020 == 0x74_6361_746e_6f63 ? .contact : nil
        case 8:
            if first | 0x2020_0020_2020_2020 == 0x6f74_2d72_6566_6572 { return .referTo }
            return first | 0x2020_2020_2020_2020 == 0x7365_6361_6c70_6572 ? .replaces : nil
        case 9:
            return first | 0x2020_2020_2020_2020 == 0x6f69_7372_6576_6964 && rest(8, 0x20) == 0x6e ? .diversion : nil
        case 11:
            return first | 0x2020_2020_2020_2020 == 0x6465_7272_6566_6572 && rest(8, 0x20_2000) == 0x79_622d
                ? .referredBy : nil
        case 12:
            let name = first | 0x20_2020_2020_2020
            if name == 0x2d74_6e65_746e_6f63 { return rest(8, 0x2020_2020) == 0x6570_7974 ? .contentType : nil }
            if name == 0x2d79_726f_7473_6968 { return rest(8, 0x2020_2020) == 0x6f66_6e69 ? .historyInfo : nil }
            return nil
        case 14:
            return first | 0x20_2020_2020_2020 == 0x2d74_6e65_746e_6f63
                && rest(8, 0x2020_2020_2020) == 0x6874_676e_656c ? .contentLength : nil
        case 15:
            return first | 0x2000_2020_2020_2020 == 0x702d_6574_6f6d_6572
                && rest(8, 0x20_2000_2020_2020) == 0x64_692d_7974_7261 ? .remotePartyID : nil
        case 19:
            return first | 0x2020_2020_2020_0020 == 0x7472_6573_7361_2d70
                && rest(8, 0x2020_2020_2000_2020) == 0x746e_6564_692d_6465 && rest(16, 0x20_2020) == 0x79_7469
                ? .pAssertedIdentity : nil
        default: return nil
        }
    }

    /// `length` (1 to 8) bytes from `start` as a little-endian word, the rest zero; 0 when they are not all
    /// in the buffer.
    @inline(__always) static func word(_ bytes: Bytes, _ start: Int, _ length: Int) -> UInt64 {
        guard let base = bytes.baseAddress, UInt(bitPattern: length &- 1) < 8, start >= 0 else { return 0 }
        if start <= bytes.count &- 8 {
            // One load of eight bytes; the bytes after the word's are dropped by the mask.
            let loaded = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
            return loaded & (UInt64.max &>> UInt64((8 &- length) &* 8))
        }
        guard start <= bytes.count &- length else { return 0 }
        var value: UInt64 = 0
        for offset in 0..<length { value |= UInt64(base[start &+ offset]) &<< UInt64(offset &* 8) }
        return value
    }

    // MARK: Header values

    /// Applies a header whose value spans several lines: the value is first copied with each line break and
    /// the whitespace around it turned into one space, so the value parsers never see CR or LF.
    private static func applyFolded(
        _ kind: HeaderKind, _ bytes: Bytes, _ start: Int, _ end: Int, to message: inout SIPMessage,
        _ fields: inout Fields, _ appendix: inout Appendix
    ) {
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(end - start)
        var index = start
        while index < end {
            let byte = bytes[index]
            if byte == cr || byte == lf {
                while unfolded.last == space || unfolded.last == tab { unfolded.removeLast() }
                index = skipSpace(bytes, index, end)
                unfolded.append(space)
            } else {
                unfolded.append(byte)
                index += 1
            }
        }
        unfolded.withUnsafeBufferPointer {
            apply(kind, $0, 0, $0.count, to: &message, &fields, &appendix, inPlace: false)
        }
    }

    /// A name-addr parsed by ``parseLazyNameAddress(_:_:_:)`` made into a field of the message: with
    /// `inPlace`, its ranges are the message's own; otherwise (an unfolded copy) its bytes go to the appendix,
    /// as does an escaped display name's text.
    @inline(__always) private static func kept(
        _ parsed: (address: SIPLazyAddress?, parameters: Int, escapedName: Bool), _ bytes: Bytes,
        _ appendix: inout Appendix, inPlace: Bool
    ) -> SIPLazyAddress? {
        guard var address = parsed.address else { return nil }
        if parsed.escapedName {
            address.displayName = appendix.storeUnescaped(
                bytes, Int(address.displayName.start), Int(address.displayName.end))
        } else if !inPlace {
            address.displayName = appendix.store(address.displayName, from: bytes)
        }
        if !inPlace {
            address.uri = appendix.store(address.uri, from: bytes)
            address.tag = appendix.store(address.tag, from: bytes)
        }
        return address
    }

    /// Applies one header's value `start..<end` of `bytes`. With `inPlace`, `bytes` are the message's own
    /// and the fields read on demand keep ranges of them; otherwise (an unfolded copy) they are copied to the
    /// appendix. Inlined into the header loop: the headers every message has are applied here, the rest by
    /// ``applyRare(_:_:_:_:to:_:)``.
    @inline(always) private static func apply(
        _ kind: HeaderKind, _ bytes: Bytes, _ start: Int, _ end: Int, to message: inout SIPMessage,
        _ fields: inout Fields, _ appendix: inout Appendix, inPlace: Bool
    ) {
        switch kind {
        case .callID:
            guard !fields.callIDSeen else { return }
            fields.callIDSeen = true
            let valueStart = skipSpace(bytes, start, end)
            let valueEnd = trimTrailingSpace(bytes, valueStart, end)
            message.lazyCallID = inPlace ? range(valueStart, valueEnd) : appendix.store(bytes, valueStart, valueEnd)
        case .cseq:
            guard !fields.cseqSeen else { return }
            fields.cseqSeen = true
            if let (number, method) = parseCSeq(bytes, start, end) {
                message.cseqNumber = number
                message.lazyCSeqMethod = method
                if !inPlace { message.lazyCSeqMethod.text = appendix.store(method.text, from: bytes) }
                fields.cseqValid = true
            }
        case .from, .to, .contact:
            // One call site for the three name-addr headers keeps the inlined parser's code once.
            var valueStart = start
            if kind == .contact {
                guard message.lazyContact == nil else { return }
                // Where the parser below starts too: its own skip finds nothing more to skip.
                valueStart = skipSpace(bytes, start, end)
                if valueStart < end && bytes[valueStart] == UInt8(ascii: "*") { return }
            }
            guard
                let address = kept(
                    parseLazyNameAddress(bytes, valueStart, end), bytes, &appendix, inPlace: inPlace)
            else { return }
            // From and To must appear once (RFC 3261 §20). When a malformed message repeats one, the last
            // copy wins, as in libre, the SIP stack ringlog is checked against.
            switch kind {
            case .from:
                message.lazyFrom = address
                fields.fromValid = true
            case .to:
                message.lazyTo = address
                fields.toValid = true
            default:
                message.lazyContact = address
            }
        case .via:
            guard !fields.viaSeen else { return }
            fields.viaSeen = true
            // sent-protocol and sent-by hold no quotes or brackets: jump to the first parameter.
            let parameters = firstOf(semicolon, comma, bytes, start, end)
            let branch: Range<Int>?
            if parameters + 7 < end && bytes[parameters] == semicolon
                && word(bytes, parameters + 1, 7) | 0x00_2020_2020_2020 == 0x3d_6863_6e61_7262
            {
                // The usual first parameter, `;branch=` (letters in any case), as the general search finds it.
                branch = parameterValue(bytes, afterEquals: parameters + 8, end)
            } else if parameters == end || bytes[parameters] == semicolon {
                // "branch" as a word and its letters' case mask.
                branch = findParameter(
                    bytes, parameters, end, name: 0x6863_6e61_7262, mask: 0x2020_2020_2020, length: 6)
            } else {
                branch = nil
            }
            if let branch {
                message.lazyTopViaBranch =
                    inPlace
                    ? range(branch.lowerBound, branch.upperBound)
                    : appendix.store(bytes, branch.lowerBound, branch.upperBound)
            }
        case .contentType:
            guard case .absent = message.lazyContentType else { return }
            let valueStart = skipSpace(bytes, start, end)
            let valueEnd = trimTrailingSpace(bytes, valueStart, find(semicolon, bytes, valueStart, end) ?? end)
            guard valueEnd > valueStart else { return }
            if isApplicationSDP(bytes, valueStart, valueEnd) {
                message.lazyContentType = .sdp
            } else {
                message.lazyContentType = .decoded(
                    inPlace ? range(valueStart, valueEnd) : appendix.store(bytes, valueStart, valueEnd))
            }
        case .contentLength:
            guard fields.contentLength == nil else { return }
            let valueStart = skipSpace(bytes, start, end)
            var value = 0
            var index = valueStart
            while index < end, bytes[index] >= zero, bytes[index] <= nine, value <= SIPMessage.maximumEncodedSize {
                value = value * 10 + Int(bytes[index] - zero)
                index += 1
            }
            if index > valueStart { fields.contentLength = value }
        case .pAssertedIdentity, .remotePartyID, .diversion, .historyInfo, .referTo, .referredBy, .replaces, .reason:
            applyRare(kind, bytes, start, end, to: &message, &fields)
        }
    }

    /// Applies a header that most messages lack; its values become strings at once, so `bytes` may be the
    /// message's own or an unfolded copy.
    private static func applyRare(
        _ kind: HeaderKind, _ bytes: Bytes, _ start: Int, _ end: Int, to message: inout SIPMessage,
        _ fields: inout Fields
    ) {
        switch kind {
        case .pAssertedIdentity:
            forEachNameAddress(bytes, start, end) { message.pAssertedIdentities.append($0) }
        case .remotePartyID:
            guard message.remotePartyID == nil else { return }
            message.remotePartyID = parseNameAddress(bytes, start, end).address
        case .diversion:
            forEachNameAddress(bytes, start, end) { message.diversions.append($0) }
        case .historyInfo:
            forEachNameAddress(bytes, start, end) { message.historyInfo.append($0) }
        case .referTo:
            guard message.referTo == nil, let address = parseNameAddress(bytes, start, end).address else {
                return
            }
            message.referTo = address
            if message.replaces == nil, let embedded = embeddedReplaces(in: address.uri) {
                message.replaces = embedded
                fields.replacesFromReferTo = true
            }
        case .referredBy:
            guard message.referredBy == nil else { return }
            message.referredBy = parseNameAddress(bytes, start, end).address
        case .replaces:
            // The first Replaces header that parses wins, over one embedded in Refer-To too.
            guard message.replaces == nil || fields.replacesFromReferTo else { return }
            guard let replaces = parseReplaces(bytes, start, end) else { return }
            message.replaces = replaces
            fields.replacesFromReferTo = false
        case .reason:
            forEachValue(bytes, start, end) { valueStart, valueEnd in
                message.reasons.append(makeString(bytes, valueStart, valueEnd))
            }
        case .callID, .cseq, .from, .to, .via, .contact, .contentType, .contentLength:
            break
        }
    }

    /// Whether `start..<end` is `application/sdp` in any case: two words, lower-cased.
    @inline(__always) private static func isApplicationSDP(_ bytes: Bytes, _ start: Int, _ end: Int) -> Bool {
        end - start == 15 && asciiLowercased(word(bytes, start, 8)) == 0x7461_6369_6c70_7061
            && asciiLowercased(word(bytes, start + 8, 7)) == 0x70_6473_2f6e_6f69
    }

    @inline(always) private static func parseCSeq(_ bytes: Bytes, _ start: Int, _ end: Int) -> (UInt32, SIPLazyMethod)?
    {
        var index = skipSpace(bytes, start, end)
        let digitsStart = index
        var number: UInt64 = 0
        while index < end, bytes[index] >= zero, bytes[index] <= nine {
            number = number * 10 + UInt64(bytes[index] - zero)
            guard number <= UInt64(UInt32.max) else { return nil }
            index += 1
        }
        guard index > digitsStart else { return nil }
        let methodStart = skipSpace(bytes, index, end)
        guard methodStart > index else { return nil }
        // The usual value ends with a usual method: its letters are the whole token, so the token scan below
        // would stop where the value's trailing whitespace starts.
        let known = SIPLazyMethod.knownCode(bytes, methodStart, trimTrailingSpace(bytes, methodStart, end))
        if known != 0 { return (UInt32(number), SIPLazyMethod(known: known, text: .absent)) }
        var methodEnd = methodStart
        while methodEnd < end && isTokenByte(bytes[methodEnd]) { methodEnd += 1 }
        guard methodEnd > methodStart else { return nil }
        return (UInt32(number), SIPLazyMethod.decoding(bytes, methodStart, methodEnd))
    }

    /// Parses the first name-addr (`"Name" <uri>;params`, `Name <uri>`) or addr-spec (`uri;params`) of
    /// `start..<end`. Returns the address and where its header parameters start, which is where a list
    /// parser looks for the comma that starts the next value.
    static func parseNameAddress(_ bytes: Bytes, _ start: Int, _ end: Int) -> (address: NameAddress?, parameters: Int) {
        let (lazy, parameters, escapedName) = parseLazyNameAddress(bytes, start, end)
        guard let lazy else { return (nil, parameters) }
        var address = lazy.materialized(in: bytes)
        if escapedName {
            address.displayName = unescapeQuoted(bytes, Int(lazy.displayName.start), Int(lazy.displayName.end))
        }
        return (address, parameters)
    }

    /// ``parseNameAddress(_:_:_:)`` with the parts as ranges of `bytes`. When `escapedName` is true the
    /// display name's range holds `\x` escapes to remove (and is not empty).
    @inline(always) static func parseLazyNameAddress(_ bytes: Bytes, _ start: Int, _ end: Int) -> (
        address: SIPLazyAddress?, parameters: Int, escapedName: Bool
    ) {
        var index = skipSpace(bytes, start, end)
        guard index < end else { return (nil, end, false) }
        var displayName = SIPLazyText.absent
        var escaped = false
        var uriStart: Int
        var uriEnd: Int
        var parametersStart: Int
        if bytes[index] == lessThan {
            // The usual `<uri>;params`, without a display name.
            uriStart = index + 1
            uriEnd = find(greaterThan, bytes, uriStart, end) ?? end
            parametersStart = uriEnd < end ? uriEnd + 1 : end
        } else if bytes[index] == quote {
            let nameStart = index + 1
            var cursor = nameStart
            while cursor < end && bytes[cursor] != quote {
                if bytes[cursor] == backslash {
                    escaped = true
                    cursor += 1
                }
                cursor += 1
            }
            let nameEnd = min(cursor, end)
            if escaped || nameEnd > nameStart { displayName = range(nameStart, nameEnd) }
            index = min(cursor + 1, end)
            guard let open = find(lessThan, bytes, index, end) else { return (nil, end, false) }
            uriStart = open + 1
            uriEnd = find(greaterThan, bytes, uriStart, end) ?? end
            parametersStart = uriEnd < end ? uriEnd + 1 : end
        } else if let open = find(lessThan, bytes, index, end), find(comma, bytes, index, open) == nil {
            let nameEnd = trimTrailingSpace(bytes, index, open)
            if nameEnd > index { displayName = range(index, nameEnd) }
            uriStart = open + 1
            uriEnd = find(greaterThan, bytes, uriStart, end) ?? end
            parametersStart = uriEnd < end ? uriEnd + 1 : end
        } else {
            uriStart = index
            uriEnd = index
            while uriEnd < end && bytes[uriEnd] != semicolon && bytes[uriEnd] != comma && !isSpace(bytes[uriEnd]) {
                uriEnd += 1
            }
            parametersStart = uriEnd
        }
        uriStart = skipSpace(bytes, uriStart, uriEnd)
        uriEnd = trimTrailingSpace(bytes, uriStart, uriEnd)
        guard uriEnd > uriStart else { return (nil, parametersStart, false) }
        var tag = SIPLazyText.absent
        if parametersStart + 4 < end && bytes[parametersStart] == semicolon
            && word(bytes, parametersStart + 1, 4) | 0x0020_2020 == 0x3d67_6174
        {
            // The usual first parameter, `;tag=` (letters in any case), as the general search would find it.
            let tagRange = parameterValue(bytes, afterEquals: parametersStart + 5, end)
            tag = range(tagRange.lowerBound, tagRange.upperBound)
        } else if parametersStart < end,
            // "tag" as a word and its letters' case mask.
            let tagRange = findParameter(bytes, parametersStart, end, name: 0x67_6174, mask: 0x20_2020, length: 3)
        {
            tag = range(tagRange.lowerBound, tagRange.upperBound)
        }
        return (
            SIPLazyAddress(displayName: displayName, uri: range(uriStart, uriEnd), tag: tag), parametersStart,
            escaped
        )
    }

    /// Calls `body` with each name-addr of a comma-separated list.
    private static func forEachNameAddress(_ bytes: Bytes, _ start: Int, _ end: Int, _ body: (NameAddress) -> Void) {
        var index = start
        while index < end {
            let (address, parameters) = parseNameAddress(bytes, index, end)
            if let address { body(address) }
            let next = nextValueStart(bytes, max(parameters, index + 1), end)
            guard next > index else { return }
            index = next
        }
    }

    /// The index after the next comma outside quotes and `<…>`, or `end`.
    private static func nextValueStart(_ bytes: Bytes, _ start: Int, _ end: Int) -> Int {
        var index = start
        var inQuotes = false
        var inAngle = false
        while index < end {
            let byte = bytes[index]
            if inQuotes {
                if byte == backslash {
                    index += 1
                } else if byte == quote {
                    inQuotes = false
                }
            } else if byte == quote {
                inQuotes = true
            } else if byte == lessThan {
                inAngle = true
            } else if byte == greaterThan {
                inAngle = false
            } else if byte == comma && !inAngle {
                return index + 1
            }
            index += 1
        }
        return end
    }

    /// Parses a Replaces value: `call-id;to-tag=…;from-tag=…[;early-only]`.
    static func parseReplaces(_ bytes: Bytes, _ start: Int, _ end: Int) -> Replaces? {
        let valueStart = skipSpace(bytes, start, end)
        var callIDEnd = valueStart
        while callIDEnd < end && bytes[callIDEnd] != semicolon && !isSpace(bytes[callIDEnd]) { callIDEnd += 1 }
        guard callIDEnd > valueStart else { return nil }
        let toTag = findParameter(bytes, callIDEnd, end, "to-tag").map {
            makeString(bytes, $0.lowerBound, $0.upperBound)
        }
        let fromTag = findParameter(bytes, callIDEnd, end, "from-tag").map {
            makeString(bytes, $0.lowerBound, $0.upperBound)
        }
        return Replaces(callID: makeString(bytes, valueStart, callIDEnd), toTag: toTag, fromTag: fromTag)
    }

    /// The `Replaces` header embedded in a URI (`sip:bob@pbx?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2`).
    static func embeddedReplaces(in uri: String) -> Replaces? {
        Array(uri.utf8).withUnsafeBufferPointer { bytes -> Replaces? in
            guard let question = find(UInt8(ascii: "?"), bytes, 0, bytes.count) else { return nil }
            var index = question + 1
            while index < bytes.count {
                let headerEnd = find(UInt8(ascii: "&"), bytes, index, bytes.count) ?? bytes.count
                if let equals = find(UInt8(ascii: "="), bytes, index, headerEnd),
                    equalsIgnoringCase(bytes, index, equals, "replaces")
                {
                    let decoded = percentDecoded(bytes, equals + 1, headerEnd)
                    return decoded.withUnsafeBufferPointer { parseReplaces($0, 0, $0.count) }
                }
                index = headerEnd + 1
            }
            return nil
        }
    }

    private static func percentDecoded(_ bytes: Bytes, _ start: Int, _ end: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(end - start)
        var index = start
        while index < end {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < end,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case zero...nine: byte - zero
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Lists and parameters

    /// Calls `body` with each comma-separated value, trimmed; commas inside quotes or `<…>` do not split.
    private static func forEachValue(_ bytes: Bytes, _ start: Int, _ end: Int, _ body: (Int, Int) -> Void) {
        var valueStart = start
        var index = start
        var inQuotes = false
        var inAngle = false
        while index <= end {
            if index == end || (bytes[index] == comma && !inQuotes && !inAngle) {
                let trimmedStart = skipSpace(bytes, valueStart, index)
                let trimmedEnd = trimTrailingSpace(bytes, trimmedStart, index)
                if trimmedEnd > trimmedStart { body(trimmedStart, trimmedEnd) }
                valueStart = index + 1
            } else {
                let byte = bytes[index]
                if inQuotes {
                    if byte == backslash {
                        index += 1
                    } else if byte == quote {
                        inQuotes = false
                    }
                } else if byte == quote {
                    inQuotes = true
                } else if byte == lessThan {
                    inAngle = true
                } else if byte == greaterThan {
                    inAngle = false
                }
            }
            index += 1
        }
    }

    /// The value range of parameter `name` (`;name=value`, case-insensitive name of at most eight letters
    /// and hyphens) in the first value of `start..<end` (the search stops at a comma); quotes around the value
    /// are removed. Semicolons and commas inside quotes or `<…>` do not count.
    static func findParameter(_ bytes: Bytes, _ start: Int, _ end: Int, _ name: StaticString) -> Range<Int>? {
        let length = min(name.utf8CodeUnitCount, 8)
        var word: UInt64 = 0
        var mask: UInt64 = 0
        for offset in 0..<length {
            let byte = name.utf8Start[offset]
            word |= UInt64(byte) << UInt64(offset * 8)
            if byte != UInt8(ascii: "-") { mask |= 0x20 << UInt64(offset * 8) }
        }
        return findParameter(bytes, start, end, name: word, mask: mask, length: length)
    }

    /// ``findParameter(_:_:_:_:)`` with the name as a little-endian word of its `length` (1 to 8) lower-case
    /// bytes and a mask with 0x20 over its letters (as in ``headerKind(_:_:_:)``).
    @inline(__always) static func findParameter(
        _ bytes: Bytes, _ start: Int, _ end: Int, name: UInt64, mask: UInt64, length: Int
    ) -> Range<Int>? {
        var index = start
        var inAngle = false
        while index < end {
            let byte = bytes[index]
            // Only quotes, `<`, `>`, `,` and `;` (their bits below) matter between parameter names.
            guard byte < 64 && (0x5800_1004_0000_0000 as UInt64) >> UInt64(byte) & 1 != 0 else {
                index += 1
                continue
            }
            switch byte {
            case quote:
                index += 1
                while index < end && bytes[index] != quote {
                    if bytes[index] == backslash { index += 1 }
                    index += 1
                }
                index += 1
            case lessThan:
                inAngle = true
                index += 1
            case greaterThan:
                inAngle = false
                index += 1
            case comma where !inAngle:
                return nil
            case semicolon where !inAngle:
                let nameStart = skipSpace(bytes, index + 1, end)
                let nameEnd = nameStart + length
                // The parameter's name is the whole token: the byte after it is not a token byte.
                if nameEnd <= end && word(bytes, nameStart, length) | mask == name
                    && (nameEnd == end || !isTokenByte(bytes[nameEnd]))
                {
                    return parameterValue(bytes, nameEnd, end)
                }
                // Another parameter: its name holds none of the bytes looked for, so the scan goes on from it.
                index = nameStart
            default:
                index += 1
            }
        }
        return nil
    }

    /// The value of a parameter whose name ends at `nameEnd`: after `=`, without quotes; empty without `=`.
    @inline(always) private static func parameterValue(_ bytes: Bytes, _ nameEnd: Int, _ end: Int) -> Range<Int> {
        let equals = skipSpace(bytes, nameEnd, end)
        guard equals < end, bytes[equals] == UInt8(ascii: "=") else { return equals..<equals }
        return parameterValue(bytes, afterEquals: equals + 1, end)
    }

    /// ``parameterValue(_:_:_:)`` of a parameter whose `=` ends at `valueStart`.
    @inline(always) private static func parameterValue(_ bytes: Bytes, afterEquals start: Int, _ end: Int) -> Range<Int>
    {
        let valueStart = skipSpace(bytes, start, end)
        if valueStart < end && bytes[valueStart] == quote {
            let closing = find(quote, bytes, valueStart + 1, end) ?? end
            return (valueStart + 1)..<closing
        }
        return valueStart..<valueEnd(bytes, valueStart, end)
    }

    /// The index of the first `;`, `,` or whitespace byte in `start..<end`, or `end`: eight bytes at a time
    /// while a word fits in the buffer (a hit past `end` counts as none).
    @inline(__always) static func valueEnd(_ bytes: Bytes, _ start: Int, _ end: Int) -> Int {
        let end = end < bytes.count ? end : bytes.count
        var index = start > 0 ? start : 0
        if let base = bytes.baseAddress {
            while index < end && index <= bytes.count &- 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                // `;`, `,` and every byte below 0x21 (whitespace among them, other control bytes too); the
                // lowest flagged byte is a real one (a borrow only flags bytes above a real hit).
                let hits =
                    (word &- 0x2121_2121_2121_2121) & ~word & 0x8080_8080_8080_8080
                    | zeroBytes(word ^ 0x3b3b_3b3b_3b3b_3b3b) | zeroBytes(word ^ 0x2c2c_2c2c_2c2c_2c2c)
                if hits != 0 {
                    let hit = index &+ hits.trailingZeroBitCount &>> 3
                    guard hit < end else { return end }
                    // `hit < end <= count`. A control byte other than whitespace does not end the value.
                    if isValueEnd(base[hit]) { return hit }
                    index = hit &+ 1
                    continue
                }
                index &+= 8
            }
        }
        while index < end && !isValueEnd(bytes[index]) { index += 1 }
        return index < end ? index : end
    }

    /// Whether `byte` ends a parameter's value: `;`, `,` or whitespace (their bits below).
    @inline(__always) private static func isValueEnd(_ byte: UInt8) -> Bool {
        byte < 64 && (0x0800_1001_0000_2600 as UInt64) >> UInt64(byte) & 1 != 0
    }

    // MARK: Bytes

    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let colonByte = UInt8(ascii: ":")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")

    /// Whether `byte` is a space, tab, CR or LF (their bits below).
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte <= space && (0x1_0000_2600 as UInt64) >> UInt64(byte) & 1 != 0
    }

    /// RFC 3261 token characters: letters, digits and `-.!%*_+`'~`.
    @inline(__always) static func isTokenByte(_ byte: UInt8) -> Bool {
        // One bit per ASCII character: 0-63 in the first word, 64-127 in the second.
        let bits: UInt64 = byte < 64 ? 0x03ff_6ca2_0000_0000 : 0x47ff_ffff_87ff_fffe
        return byte < 128 && bits >> UInt64(byte & 63) & 1 != 0
    }

    /// The index of the next LF at or after `start`, or the buffer's end (memchr: vectorised).
    @inline(__always) static func lineEnd(_ bytes: Bytes, from start: Int) -> Int {
        let end = bytes.count
        guard start >= 0, start < end, let base = bytes.baseAddress else { return end }
        return lineEnd(base, from: start, end)
    }

    /// ``lineEnd(_:from:)`` in the `end` bytes at `base`, for a `start` the header loop has already checked:
    /// `0 <= start <= end` (memchr reads nothing when `start == end`).
    @inline(__always) private static func lineEnd(_ base: UnsafePointer<UInt8>, from start: Int, _ end: Int) -> Int {
        guard let hit = memchr(base + start, Int32(lf), end &- start) else { return end }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    @inline(__always) static func trimCR(_ bytes: Bytes, _ start: Int, _ end: Int) -> Int {
        end > start && bytes[end - 1] == cr ? end - 1 : end
    }

    /// The index of the first `byte` in `start..<end` (memchr: vectorised), or `nil`.
    @inline(__always) static func find(_ byte: UInt8, _ bytes: Bytes, _ start: Int, _ end: Int) -> Int? {
        guard start < end, end <= bytes.count, start >= 0, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + start, Int32(byte), end - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    @inline(__always) static func skipSpace(_ bytes: Bytes, _ start: Int, _ end: Int) -> Int {
        var index = start
        while index < end && isSpace(bytes[index]) { index += 1 }
        return index
    }

    @inline(__always) static func trimTrailingSpace(_ bytes: Bytes, _ start: Int, _ end: Int) -> Int {
        var index = end
        while index > start && isSpace(bytes[index - 1]) { index -= 1 }
        return index
    }

    static func equalsIgnoringCase(_ bytes: Bytes, _ start: Int, _ end: Int, _ lowercase: StaticString) -> Bool {
        guard end - start == lowercase.utf8CodeUnitCount else { return false }
        let name = lowercase.utf8Start
        for offset in 0..<(end - start) {
            var byte = bytes[start + offset]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            guard byte == name[offset] else { return false }
        }
        return true
    }

    /// `word` with each ASCII upper-case letter byte made lower case and every other byte unchanged.
    @inline(__always) static func asciiLowercased(_ word: UInt64) -> UInt64 {
        let sevenBits = word & 0x7f7f_7f7f_7f7f_7f7f
        // The high bit of each byte: at least "A" (0x41 + 0x3f), above "Z" (0x5b + 0x25); no carry crosses bytes.
        let atLeastA = sevenBits &+ 0x3f3f_3f3f_3f3f_3f3f
        let aboveZ = sevenBits &+ 0x2525_2525_2525_2525
        let upper = atLeastA & ~aboveZ & ~word & 0x8080_8080_8080_8080
        return word | upper &>> 2
    }

    /// `start..<end` as a field read on demand (messages are at most ``SIPMessage/maximumEncodedSize`` bytes;
    /// a message's storage grows past that only by texts set through its properties).
    @inline(__always) static func range(_ start: Int, _ end: Int) -> SIPLazyText {
        SIPLazyText(start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: max(start, end)))
    }

    /// A string of `start..<end` (invalid UTF-8 is repaired with U+FFFD).
    @inline(__always) static func makeString(_ bytes: Bytes, _ start: Int, _ end: Int) -> String {
        guard start < end else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// A quoted display name's text with `\x` escapes replaced by `x`.
    private static func unescapeQuoted(_ bytes: Bytes, _ start: Int, _ end: Int) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(end - start)
        var index = start
        while index < end {
            if bytes[index] == backslash && index + 1 < end {
                output.append(bytes[index + 1])
                index += 2
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output.withUnsafeBufferPointer { makeString($0, 0, $0.count) }
    }
}
