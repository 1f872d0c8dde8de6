import Testing

@testable import RinglogCore

@Suite("SIP decoder internals")
struct SIPDecoderInternalsTests {
    static let headerNames: [(String, SIPMessageDecoder.HeaderKind)] = [
        ("to", .to), ("via", .via), ("from", .from), ("cseq", .cseq), ("reason", .reason), ("call-id", .callID),
        ("contact", .contact), ("refer-to", .referTo), ("replaces", .replaces), ("diversion", .diversion),
        ("referred-by", .referredBy), ("content-type", .contentType), ("history-info", .historyInfo),
        ("content-length", .contentLength), ("remote-party-id", .remotePartyID),
        ("p-asserted-identity", .pAssertedIdentity), ("i", .callID), ("f", .from), ("t", .to), ("v", .via),
        ("m", .contact), ("c", .contentType), ("l", .contentLength), ("r", .referTo), ("b", .referredBy),
    ]

    /// The kind of `name` placed at the start of a longer buffer and at the very end of one (the word
    /// reader's two paths).
    private func kinds(_ name: [UInt8]) -> [SIPMessageDecoder.HeaderKind?] {
        let padded = name + Array(": value of the header\r\n".utf8)
        let trailing = Array("X".utf8) + name
        return [
            padded.withUnsafeBufferPointer { SIPMessageDecoder.headerKind($0, 0, name.count) },
            trailing.withUnsafeBufferPointer { SIPMessageDecoder.headerKind($0, 1, $0.count) },
        ]
    }

    @Test("every header name is recognised in any case, in the middle and at the end of the buffer")
    func headerNames() {
        for (name, kind) in Self.headerNames {
            for spelling in [
                name, name.uppercased(),
                String(name.enumerated().map { $0 % 2 == 0 ? $1 : Character($1.uppercased()) }),
            ] {
                #expect(kinds(Array(spelling.utf8)) == [kind, kind], "\(spelling)")
            }
        }
    }

    @Test("a name differing in one byte, one byte longer or shorter is not recognised")
    func nearMisses() {
        for (name, kind) in Self.headerNames where name.count > 1 {
            let bytes = Array(name.utf8)
            for index in bytes.indices {
                // A hyphen's byte with 0x20 cleared is CR; a letter's with 0x40 flipped is not a letter.
                for replacement in [bytes[index] ^ 0x20 == 0x0D ? 0x0D : bytes[index] ^ 0x40, UInt8(ascii: "_")] {
                    var changed = bytes
                    changed[index] = replacement
                    #expect(kinds(changed) == [nil, nil], "\(name) at \(index)")
                }
            }
            #expect(kinds(bytes + [UInt8(ascii: "s")]).allSatisfy { $0 != kind }, "\(name)s")
            if bytes.count > 2 {
                #expect(kinds(Array(bytes.dropLast())).allSatisfy { $0 != kind }, "\(name) shortened")
            }
        }
    }

    @Test("the usual methods are numbered and read back; other spellings are kept as written")
    func methods() {
        for code in UInt8(1)...13 {
            let name = SIPLazyMethod.name(ofKnown: code)
            let bytes = Array(name.utf8)
            #expect(bytes.withUnsafeBufferPointer { SIPLazyMethod.knownCode($0, 0, $0.count) } == code)
            let lower = Array(name.lowercased().utf8)
            #expect(lower.withUnsafeBufferPointer { SIPLazyMethod.knownCode($0, 0, $0.count) } == 0)
        }
        for other in ["SUBSCRIBE", "INVITES", "INVIT", "X", "", "FOO"] {
            let bytes = Array(other.utf8)
            #expect(bytes.withUnsafeBufferPointer { SIPLazyMethod.knownCode($0, 0, $0.count) } == 0, "\(other)")
        }
    }

    @Test("texts set through properties read back, and a decoded message changed so equals one made so")
    func setters() throws {
        let text =
            "SUBSCRIBE sip:a@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 SUBSCRIBE\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n\r\n"
        var message = try SIPMessage(decoding: Array(text.utf8))
        #expect(message.method == "SUBSCRIBE")
        #expect(message.cseqMethod == "SUBSCRIBE")
        let copy = message
        message.callID = "changed"
        message.cseqMethod = "PUBLISH2"
        message.from = NameAddress(displayName: "Ann \"A\"", uri: "sip:ann@x", tag: nil)
        message.contentType = "Text/Plain"
        message.startLine = .response(status: 486, reason: "")
        #expect(copy.callID == "x")
        #expect(copy.from == NameAddress(uri: "sip:a@b", tag: "1"))
        #expect(message.callID == "changed")
        #expect(message.cseqMethod == "PUBLISH2")
        #expect(message.from == NameAddress(displayName: "Ann \"A\"", uri: "sip:ann@x"))
        #expect(message.contentType == "Text/Plain")
        #expect(message.startLine == .response(status: 486, reason: ""))
        #expect(message.statusCode == 486 && message.method == nil)
        let built = SIPMessage(
            startLine: .response(status: 486, reason: ""), callID: "changed", cseqNumber: 1, cseqMethod: "PUBLISH2",
            from: NameAddress(displayName: "Ann \"A\"", uri: "sip:ann@x"), to: NameAddress(uri: "sip:c@d"),
            contentType: "Text/Plain")
        #expect(message == built)
        #expect(message.withCallIDBytes { Array($0) } == Array("changed".utf8))
    }
}
