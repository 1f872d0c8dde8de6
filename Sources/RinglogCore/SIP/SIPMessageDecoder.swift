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

    private enum HeaderKind {
        case callID, cseq, from, to, via, contact, pAssertedIdentity, remotePartyID, diversion, historyInfo
        case referTo, referredBy, replaces, reason, contentType, contentLength
    }

    /// Which headers were seen while the message is filled in.
    private struct Fields {
        var callIDSeen = false
        var cseqSeen = false
        var cseqValid = false
        var fromSeen = false
        var fromValid = false
        var toSeen = false
        var toValid = false
        var viaSeen = false
        var referToReplaces: Replaces?
        var contentLength: Int?
    }

    /// Decodes `bytes` into `message` (in place: a returned message would be copied on its way out).
    static func decode(_ bytes: Bytes, into message: inout SIPMessage) throws(SIPDecodingError) {
        guard bytes.count <= SIPMessage.maximumEncodedSize else { throw .tooLarge(bytes.count) }
        let end = bytes.count
        var position = 0
        while position < end && (bytes[position] == cr || bytes[position] == lf) { position += 1 }
        guard position < end else { throw .badStartLine }

        let startLineEnd = lineEnd(bytes, from: position)
        guard let startLine = parseStartLine(bytes, position, trimCR(bytes, position, startLineEnd)) else {
            throw .badStartLine
        }
        position = min(startLineEnd + 1, end)

        message = SIPMessage(decodedStartLine: startLine)
        var fields = Fields()
        var pending: (kind: HeaderKind, start: Int, end: Int, folded: Bool)?
        var bodyStart = end
        while position < end {
            let lineStop = lineEnd(bytes, from: position)
            let contentEnd = trimCR(bytes, position, lineStop)
            if contentEnd == position {
                bodyStart = min(lineStop + 1, end)
                break
            }
            let first = bytes[position]
            if first == space || first == tab {
                // A folded line continues the previous header's value.
                if pending != nil {
                    pending?.end = contentEnd
                    pending?.folded = true
                }
            } else {
                if let header = pending { apply(header, bytes, to: &message, &fields) }
                pending = nil
                if let colon = find(colonByte, bytes, position, contentEnd) {
                    let nameEnd = trimTrailingSpace(bytes, position, colon)
                    if let kind = headerKind(bytes, position, nameEnd) {
                        pending = (kind, colon + 1, contentEnd, false)
                    }
                }
            }
            position = lineStop + 1
        }
        if let header = pending { apply(header, bytes, to: &message, &fields) }

        guard fields.callIDSeen, !isEmpty(message.lazyCallID) else { throw .missingHeader("Call-ID") }
        guard fields.cseqValid else { throw .missingHeader("CSeq") }
        guard fields.fromValid else { throw .missingHeader("From") }
        guard fields.toValid else { throw .missingHeader("To") }
        if let embedded = fields.referToReplaces, message.replaces == nil { message.replaces = embedded }

        var bodyEnd = end
        if let length = fields.contentLength, length < end - bodyStart { bodyEnd = bodyStart + length }
        if bodyStart < bodyEnd {
            let contentType = message.contentType
            let isSDP =
                contentType == "application/sdp"
                || (contentType == nil && bodyEnd - bodyStart >= 2 && bytes[bodyStart] == UInt8(ascii: "v")
                    && bytes[bodyStart + 1] == UInt8(ascii: "="))
            if isSDP { message.sdpDirection = SDPScanner.direction(bytes, bodyStart, bodyEnd) }
        }
    }

    // MARK: Start line

    private static func parseStartLine(_ bytes: Bytes, _ start: Int, _ end: Int) -> SIPMessage.LazyStartLine? {
        if end - start >= 11 && hasPrefixIgnoringCase(bytes, start, end, "sip/") {
            // SIP/2.0 SP status SP reason
            guard let space1 = find(space, bytes, start, end) else { return nil }
            var index = space1
            while index < end && bytes[index] == space { index += 1 }
            guard end - index >= 3 else { return nil }
            var status = 0
            for offset in 0..<3 {
                let digit = bytes[index + offset]
                guard digit >= zero && digit <= nine else { return nil }
                status = status * 10 + Int(digit - zero)
            }
            index += 3
            guard status >= 100, index == end || bytes[index] == space || bytes[index] == tab else { return nil }
            let reasonStart = skipSpace(bytes, index, end)
            return .response(status: status, reason: range(reasonStart, end))
        }
        guard let methodEnd = find(space, bytes, start, end), methodEnd > start else { return nil }
        for index in start..<methodEnd where !isTokenByte(bytes[index]) { return nil }
        let uriStart = skipSpace(bytes, methodEnd, end)
        guard let uriEnd = find(space, bytes, uriStart, end), uriEnd > uriStart else { return nil }
        let versionStart = skipSpace(bytes, uriEnd, end)
        guard hasPrefixIgnoringCase(bytes, versionStart, end, "sip/") else { return nil }
        return .request(method: methodString(bytes, start, methodEnd), uri: range(uriStart, uriEnd))
    }

    // MARK: Header names

    private static func headerKind(_ bytes: Bytes, _ start: Int, _ end: Int) -> HeaderKind? {
        let length = end - start
        if length == 1 {
            switch bytes[start] | 0x20 {
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
        func named(_ name: StaticString) -> Bool { equalsIgnoringCase(bytes, start, end, name) }
        switch length {
        case 2: return named("to") ? .to : nil
        case 3: return named("via") ? .via : nil
        case 4: return named("from") ? .from : named("cseq") ? .cseq : nil
        case 6: return named("reason") ? .reason : nil
        case 7: return named("call-id") ? .callID : named("contact") ? .contact : nil
        case 8: return named("refer-to") ? .referTo : named("replaces") ? .replaces : nil
        case 9: return named("diversion") ? .diversion : nil
        case 11: return named("referred-by") ? .referredBy : nil
        case 12: return named("content-type") ? .contentType : named("history-info") ? .historyInfo : nil
        case 14: return named("content-length") ? .contentLength : nil
        case 15: return named("remote-party-id") ? .remotePartyID : nil
        case 19: return named("p-asserted-identity") ? .pAssertedIdentity : nil
        default: return nil
        }
    }

    // MARK: Header values

    /// Applies one header; a folded value is first copied with each line break and the whitespace around
    /// it turned into one space, so the value parsers never see CR or LF.
    private static func apply(
        _ header: (kind: HeaderKind, start: Int, end: Int, folded: Bool), _ bytes: Bytes,
        to message: inout SIPMessage, _ fields: inout Fields
    ) {
        guard header.folded else {
            apply(header.kind, bytes, header.start, header.end, to: &message, &fields, inPlace: true)
            return
        }
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(header.end - header.start)
        var index = header.start
        while index < header.end {
            let byte = bytes[index]
            if byte == cr || byte == lf {
                while unfolded.last == space || unfolded.last == tab { unfolded.removeLast() }
                index = skipSpace(bytes, index, header.end)
                unfolded.append(space)
            } else {
                unfolded.append(byte)
                index += 1
            }
        }
        unfolded.withUnsafeBufferPointer {
            apply(header.kind, $0, 0, $0.count, to: &message, &fields, inPlace: false)
        }
    }

    /// Applies one header's value `start..<end` of `bytes`. With `inPlace`, `bytes` are the message's own
    /// and the fields read on demand keep ranges of them; otherwise (an unfolded copy) they keep strings.
    private static func apply(
        _ kind: HeaderKind, _ bytes: Bytes, _ start: Int, _ end: Int, to message: inout SIPMessage,
        _ fields: inout Fields, inPlace: Bool
    ) {
        switch kind {
        case .callID:
            guard !fields.callIDSeen else { return }
            fields.callIDSeen = true
            let valueStart = skipSpace(bytes, start, end)
            let valueEnd = trimTrailingSpace(bytes, valueStart, end)
            let callID = range(valueStart, valueEnd)
            message.lazyCallID = inPlace ? callID : callID.resolved(in: bytes)
        case .cseq:
            guard !fields.cseqSeen else { return }
            fields.cseqSeen = true
            if let (number, method) = parseCSeq(bytes, start, end) {
                message.cseqNumber = number
                message.cseqMethod = method
                fields.cseqValid = true
            }
        case .from:
            // From and To must appear once (RFC 3261 §20). When a malformed message repeats one, the last
            // copy wins, as in libre, the SIP stack ringlog is checked against.
            fields.fromSeen = true
            if let address = parseLazyNameAddress(bytes, start, end).address {
                message.lazyFrom = inPlace ? address : address.resolved(in: bytes)
                fields.fromValid = true
            }
        case .to:
            fields.toSeen = true
            if let address = parseLazyNameAddress(bytes, start, end).address {
                message.lazyTo = inPlace ? address : address.resolved(in: bytes)
                fields.toValid = true
            }
        case .via:
            guard !fields.viaSeen else { return }
            fields.viaSeen = true
            // sent-protocol and sent-by hold no quotes or brackets: jump to the first parameter.
            let parameters = find(semicolon, bytes, start, end) ?? end
            if find(comma, bytes, start, parameters) == nil,
                let branch = findParameter(bytes, parameters, end, "branch")
            {
                let text = range(branch.lowerBound, branch.upperBound)
                message.lazyTopViaBranch = inPlace ? text : text.resolved(in: bytes)
            }
        case .contact:
            guard message.lazyContact == nil else { return }
            let valueStart = skipSpace(bytes, start, end)
            if valueStart < end && bytes[valueStart] == UInt8(ascii: "*") { return }
            let address = parseLazyNameAddress(bytes, valueStart, end).address
            message.lazyContact = inPlace ? address : address?.resolved(in: bytes)
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
            fields.referToReplaces = embeddedReplaces(in: address.uri)
        case .referredBy:
            guard message.referredBy == nil else { return }
            message.referredBy = parseNameAddress(bytes, start, end).address
        case .replaces:
            guard message.replaces == nil else { return }
            message.replaces = parseReplaces(bytes, start, end)
        case .reason:
            forEachValue(bytes, start, end) { valueStart, valueEnd in
                message.reasons.append(makeString(bytes, valueStart, valueEnd))
            }
        case .contentType:
            guard message.contentType == nil else { return }
            let valueStart = skipSpace(bytes, start, end)
            let valueEnd = trimTrailingSpace(bytes, valueStart, find(semicolon, bytes, valueStart, end) ?? end)
            guard valueEnd > valueStart else { return }
            message.contentType =
                equalsIgnoringCase(bytes, valueStart, valueEnd, "application/sdp")
                ? "application/sdp" : makeString(bytes, valueStart, valueEnd).lowercased()
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
        }
    }

    private static func parseCSeq(_ bytes: Bytes, _ start: Int, _ end: Int) -> (UInt32, String)? {
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
        var methodEnd = methodStart
        while methodEnd < end && isTokenByte(bytes[methodEnd]) { methodEnd += 1 }
        guard methodEnd > methodStart else { return nil }
        return (UInt32(number), methodString(bytes, methodStart, methodEnd))
    }

    /// Parses the first name-addr (`"Name" <uri>;params`, `Name <uri>`) or addr-spec (`uri;params`) of
    /// `start..<end`. Returns the address and where its header parameters start, which is where a list
    /// parser looks for the comma that starts the next value.
    static func parseNameAddress(_ bytes: Bytes, _ start: Int, _ end: Int) -> (address: NameAddress?, parameters: Int) {
        let (address, parameters) = parseLazyNameAddress(bytes, start, end)
        return (address?.materialized(in: bytes), parameters)
    }

    /// ``parseNameAddress(_:_:_:)`` with the parts as ranges of `bytes` (an escaped display name as text).
    static func parseLazyNameAddress(_ bytes: Bytes, _ start: Int, _ end: Int) -> (
        address: SIPLazyAddress?, parameters: Int
    ) {
        var index = skipSpace(bytes, start, end)
        guard index < end else { return (nil, end) }
        var displayName = SIPLazyText.absent
        var uriStart: Int
        var uriEnd: Int
        var parametersStart: Int
        if bytes[index] == quote {
            let nameStart = index + 1
            var cursor = nameStart
            var escaped = false
            while cursor < end && bytes[cursor] != quote {
                if bytes[cursor] == backslash {
                    escaped = true
                    cursor += 1
                }
                cursor += 1
            }
            let nameEnd = min(cursor, end)
            if escaped {
                let unescaped = unescapeQuoted(bytes, nameStart, nameEnd)
                if !unescaped.isEmpty { displayName = .text(unescaped) }
            } else if nameEnd > nameStart {
                displayName = range(nameStart, nameEnd)
            }
            index = min(cursor + 1, end)
            guard let open = find(lessThan, bytes, index, end) else { return (nil, end) }
            uriStart = open + 1
            uriEnd = find(greaterThan, bytes, uriStart, end) ?? end
            parametersStart = min(uriEnd + 1, end)
        } else if let open = find(lessThan, bytes, index, end), find(comma, bytes, index, open) == nil {
            let nameEnd = trimTrailingSpace(bytes, index, open)
            if nameEnd > index { displayName = range(index, nameEnd) }
            uriStart = open + 1
            uriEnd = find(greaterThan, bytes, uriStart, end) ?? end
            parametersStart = min(uriEnd + 1, end)
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
        guard uriEnd > uriStart else { return (nil, parametersStart) }
        var tag = SIPLazyText.absent
        if let tagRange = findParameter(bytes, parametersStart, end, "tag") {
            tag = range(tagRange.lowerBound, tagRange.upperBound)
        }
        return (SIPLazyAddress(displayName: displayName, uri: range(uriStart, uriEnd), tag: tag), parametersStart)
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

    /// The value range of parameter `name` (`;name=value`, case-insensitive name) in the first value of
    /// `start..<end` (the search stops at a comma); quotes around the value are removed. Semicolons and commas
    /// inside quotes or `<…>` do not count.
    static func findParameter(_ bytes: Bytes, _ start: Int, _ end: Int, _ name: StaticString) -> Range<Int>? {
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
                index += 1
                continue
            }
            if byte == quote {
                inQuotes = true
            } else if byte == lessThan {
                inAngle = true
            } else if byte == greaterThan {
                inAngle = false
            } else if byte == comma && !inAngle {
                return nil
            } else if byte == semicolon && !inAngle {
                let nameStart = skipSpace(bytes, index + 1, end)
                var nameEnd = nameStart
                while nameEnd < end && isTokenByte(bytes[nameEnd]) { nameEnd += 1 }
                if equalsIgnoringCase(bytes, nameStart, nameEnd, name) {
                    var valueStart = skipSpace(bytes, nameEnd, end)
                    guard valueStart < end, bytes[valueStart] == UInt8(ascii: "=") else {
                        return valueStart..<valueStart
                    }
                    valueStart = skipSpace(bytes, valueStart + 1, end)
                    if valueStart < end && bytes[valueStart] == quote {
                        let closing = find(quote, bytes, valueStart + 1, end) ?? end
                        return (valueStart + 1)..<closing
                    }
                    var valueEnd = valueStart
                    while valueEnd < end && bytes[valueEnd] != semicolon && bytes[valueEnd] != comma
                        && !isSpace(bytes[valueEnd])
                    {
                        valueEnd += 1
                    }
                    return valueStart..<valueEnd
                }
                index = nameEnd
                continue
            }
            index += 1
        }
        return nil
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

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == cr || byte == lf
    }

    /// RFC 3261 token characters.
    @inline(__always) static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), zero...nine: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// The index of the next LF at or after `start`, or the buffer's end.
    @inline(__always) static func lineEnd(_ bytes: Bytes, from start: Int) -> Int {
        find(lf, bytes, start, bytes.count) ?? bytes.count
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

    static func hasPrefixIgnoringCase(_ bytes: Bytes, _ start: Int, _ end: Int, _ lowercase: StaticString) -> Bool {
        let length = lowercase.utf8CodeUnitCount
        guard end - start >= length else { return false }
        return equalsIgnoringCase(bytes, start, start + length, lowercase)
    }

    /// `start..<end` as a field read on demand (messages are at most ``SIPMessage/maximumEncodedSize`` bytes).
    @inline(__always) static func range(_ start: Int, _ end: Int) -> SIPLazyText {
        .bytes(start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: max(start, end)))
    }

    /// Whether a field reads as the empty string (or is absent).
    static func isEmpty(_ text: SIPLazyText) -> Bool {
        switch text {
        case .absent: true
        case .bytes(let start, let end): start >= end
        case .text(let text): text.isEmpty
        }
    }

    /// A method name: the usual ones as literals (no string is built for them), others as written.
    static func methodString(_ bytes: Bytes, _ start: Int, _ end: Int) -> String {
        func spells(_ name: StaticString) -> Bool {
            guard end - start == name.utf8CodeUnitCount else { return false }
            let letters = name.utf8Start
            for offset in 0..<(end - start) where bytes[start + offset] != letters[offset] { return false }
            return true
        }
        switch end - start {
        case 3:
            if spells("ACK") { return "ACK" }
            if spells("BYE") { return "BYE" }
        case 5:
            if spells("PRACK") { return "PRACK" }
        case 6:
            if spells("INVITE") { return "INVITE" }
            if spells("CANCEL") { return "CANCEL" }
            if spells("UPDATE") { return "UPDATE" }
            if spells("NOTIFY") { return "NOTIFY" }
        case 7:
            if spells("OPTIONS") { return "OPTIONS" }
        default:
            break
        }
        return makeString(bytes, start, end)
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
