import Testing

@testable import RinglogCore

/// The decoder's shortcuts (the usual `;tag=` and `;branch=` first parameters, a CSeq ending in a usual
/// method, word-at-a-time scans and case folding) give what the general code gives.
@Suite("SIP decoder shortcuts")
struct SIPDecoderShortcutTests {
    private func decode(_ headers: [String]) throws -> SIPMessage {
        let lines = ["INVITE sip:bob@x SIP/2.0", "Call-ID: c@x", "From: <sip:a@x>;tag=1", "To: <sip:b@x>"] + headers
        return try SIPMessage(decoding: Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
    }

    private func message(cseq: String) throws -> SIPMessage {
        try decode(["CSeq: \(cseq)"])
    }

    private func message(to: String) throws -> SIPMessage {
        let lines = ["INVITE sip:bob@x SIP/2.0", "Call-ID: c@x", "From: <sip:a@x>", "To: \(to)", "CSeq: 1 INVITE"]
        return try SIPMessage(decoding: Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
    }

    @Test(
        "a tag parameter is found first, later, in any case and with spaces",
        arguments: [
            ("<sip:b@x>;tag=abc", "abc"), ("<sip:b@x>;TaG=abc", "abc"), ("<sip:b@x>;tag= abc ", "abc"),
            ("<sip:b@x>;tag=\"q;r\"", "q;r"), ("<sip:b@x>;tags=1;tag=2", "2"), ("<sip:b@x>; tag=3", "3"),
            ("<sip:b@x>;tag =4", "4"), ("<sip:b@x>;tag", ""), ("<sip:b@x>;x=1;tag=5;y=2", "5"),
            ("<sip:b@x>;tag=a1234567890b,<sip:c@x>", "a1234567890b"), ("sip:b@x;tag=6", "6"),
            ("\"B\" <sip:b@x>;tag=seven", "seven"),
        ])
    func tags(to: String, tag: String) throws {
        #expect(try message(to: to).to.tag == tag)
    }

    @Test("a header without a tag has none")
    func noTag() throws {
        #expect(try message(to: "<sip:b@x>").to.tag == nil)
        #expect(try message(to: "<sip:b@x>;tagx=1").to.tag == nil)
    }

    @Test(
        "the top Via branch is found first, later and in any case; none after a comma",
        arguments: [
            ("SIP/2.0/UDP h;branch=z9hG4bK1", "z9hG4bK1"), ("SIP/2.0/UDP h;BRANCH=z9hG4bK2;rport", "z9hG4bK2"),
            ("SIP/2.0/UDP h;rport;branch=z9hG4bK3", "z9hG4bK3"), ("SIP/2.0/UDP h; branch=z9hG4bK4", "z9hG4bK4"),
            ("SIP/2.0/UDP h;branch= z9hG4bK5 ", "z9hG4bK5"),
            ("SIP/2.0/UDP h;branch=z9hG4bKa1234567890", "z9hG4bKa1234567890"),
        ])
    func branches(via: String, branch: String) throws {
        #expect(try decode(["CSeq: 1 INVITE", "Via: \(via)"]).topViaBranch == branch)
    }

    @Test("a Via without a branch before its first comma has none")
    func noBranch() throws {
        #expect(try decode(["CSeq: 1 INVITE", "Via: SIP/2.0/UDP h, SIP/2.0/UDP g;branch=z9"]).topViaBranch == nil)
        #expect(try decode(["CSeq: 1 INVITE", "Via: SIP/2.0/UDP h;branchx=1"]).topViaBranch == nil)
        #expect(try decode(["CSeq: 1 INVITE", "Via: SIP/2.0/UDP h"]).topViaBranch == nil)
    }

    @Test(
        "a CSeq method is the token after the number, usual or not",
        arguments: [
            ("1 INVITE", "INVITE"), ("2 INVITE  ", "INVITE"), ("3 INVITE\t", "INVITE"), ("4 INVITEX", "INVITEX"),
            ("5 invite", "invite"), ("6 INVITE;x", "INVITE"), ("7 BYE extra", "BYE"), ("8 SUBSCRIBE", "SUBSCRIBE"),
            ("9  ACK", "ACK"),
        ])
    func cseqMethods(cseq: String, method: String) throws {
        let message = try message(cseq: cseq)
        #expect(message.cseqMethod == method)
    }

    @Test("a Replaces header wins over one embedded in Refer-To, in either order, unless it does not parse")
    func replacesOrder() throws {
        let referTo = "Refer-To: <sip:b@x?Replaces=embedded%40x%3Bto-tag%3D1%3Bfrom-tag%3D2>"
        let header = "Replaces: header@x;to-tag=3;from-tag=4"
        let embedded = Replaces(callID: "embedded@x", toTag: "1", fromTag: "2")
        let own = Replaces(callID: "header@x", toTag: "3", fromTag: "4")
        #expect(try decode(["CSeq: 1 REFER", referTo, header]).replaces == own)
        #expect(try decode(["CSeq: 1 REFER", header, referTo]).replaces == own)
        #expect(try decode(["CSeq: 1 REFER", referTo, "Replaces: ;to-tag=9"]).replaces == embedded)
        #expect(try decode(["CSeq: 1 REFER", referTo, "Replaces: ;to-tag=9", header]).replaces == own)
        #expect(try decode(["CSeq: 1 REFER", "Replaces: ;to-tag=9", referTo]).replaces == embedded)
        #expect(try decode(["CSeq: 1 REFER", header, "Replaces: other@x"]).replaces == own)
        #expect(try decode(["CSeq: 1 REFER", referTo]).replaces == embedded)
    }

    @Test("a word is lower-cased byte by byte exactly as ASCII says, in every byte position")
    func asciiLowercased() {
        for byte in 0...255 {
            let lower = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
            for position in 0..<8 {
                let shift = UInt64(position * 8)
                // The other bytes hold a letter, a non-letter and a high byte in turn.
                let filler: [UInt64] = [0x41, 0x7b, 0xc1]
                var word: UInt64 = 0
                var expected: UInt64 = 0
                for other in 0..<8 where other != position {
                    let value = filler[other % 3]
                    word |= value << UInt64(other * 8)
                    expected |= (value == 0x41 ? 0x61 : value) << UInt64(other * 8)
                }
                word |= UInt64(byte) << shift
                expected |= UInt64(lower) << shift
                #expect(SIPMessageDecoder.asciiLowercased(word) == expected, "\(byte) at \(position)")
            }
        }
    }

    @Test("the two-byte scan finds what a byte-by-byte scan finds, at every start and end")
    func firstOf() {
        var state: UInt32 = 12_345
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 40] {
            for _ in 0..<20 {
                let bytes: [UInt8] = (0..<length).map { _ in
                    state = state &* 1_103_515_245 &+ 12_345
                    return [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "a"), 0, 0x3b ^ 0x80][
                        Int(state >> 16) % 5]
                }
                bytes.withUnsafeBufferPointer { buffer in
                    for start in 0...length {
                        for end in start...length {
                            var expected = start
                            while expected < end && buffer[expected] != 0x3b && buffer[expected] != 0x2c {
                                expected += 1
                            }
                            #expect(SIPMessageDecoder.firstOf(0x3b, 0x2c, buffer, start, end) == expected)
                        }
                    }
                }
            }
        }
    }

    @Test("a header name classified from the colon search's first word is what the general reading finds")
    func nameKinds() {
        let names =
            SIPDecoderInternalsTests.headerNames.map(\.0) + [
                "max-forwards", "user-agent", "allow", "content-lengt", "contact-", "a b", "", "x", "c\r",
            ]
        for name in names {
            for spelling in [name, name.uppercased()] {
                for padding in ["", " ", "\t", " \t", "\r"] {
                    for tail in ["", ":", ": 1\r\n", ":value of the header\r\n", "\n:"] {
                        for prefix in ["", "\n", "ab\n"] {
                            let bytes = Array((prefix + spelling + padding + tail).utf8)
                            let start = prefix.utf8.count
                            bytes.withUnsafeBufferPointer { buffer in
                                let (colon, firstWord) = SIPMessageDecoder.colonOrLineFeed(buffer, from: start)
                                var expectedColon = start
                                while expectedColon < buffer.count && buffer[expectedColon] != 0x3a
                                    && buffer[expectedColon] != 0x0a
                                {
                                    expectedColon += 1
                                }
                                #expect(colon == expectedColon, "\(bytes)")
                                guard colon < buffer.count, buffer[colon] == 0x3a else { return }
                                let general = SIPMessageDecoder.headerKind(
                                    buffer, start, SIPMessageDecoder.trimTrailingSpace(buffer, start, colon))
                                #expect(
                                    SIPMessageDecoder.nameKind(buffer, start, colon, firstWord) == general, "\(bytes)")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("the value-end scan finds what a byte-by-byte scan finds, at every start and end, control bytes included")
    func valueEnd() {
        var state: UInt32 = 54_321
        let alphabet: [UInt8] = [
            UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"),
            UInt8(ascii: "\n"), UInt8(ascii: "a"), UInt8(ascii: "!"), 0, 1, 0x1f, 0x0b, 0x21, 0xa0, 0xbb,
        ]
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 40] {
            for round in 0..<30 {
                let bytes: [UInt8] = (0..<length).map { _ in
                    state = state &* 1_103_515_245 &+ 12_345
                    // Half the rounds mostly letters, so the scan runs over whole words before a hit.
                    let pick = Int(state >> 16) % (round % 2 == 0 ? alphabet.count : alphabet.count * 4)
                    return pick < alphabet.count ? alphabet[pick] : UInt8(ascii: "a")
                }
                bytes.withUnsafeBufferPointer { buffer in
                    for start in 0...length {
                        for end in start...length {
                            var expected = start
                            while expected < end && !SIPMessageDecoder.isSpace(buffer[expected])
                                && buffer[expected] != 0x3b && buffer[expected] != 0x2c
                            {
                                expected += 1
                            }
                            #expect(SIPMessageDecoder.valueEnd(buffer, start, end) == expected, "\(bytes) \(start)")
                        }
                    }
                }
            }
        }
    }

    @Test(
        "a start line's spaces are found by the word scan as the byte scan found them",
        arguments: [
            ("SIP/2.0 200 OK", SIPMessage.StartLine.response(status: 200, reason: "OK")),
            ("SIP/2.0   180 Ringing", .response(status: 180, reason: "Ringing")),
            ("sip/2.0 486 Busy Here", .response(status: 486, reason: "Busy Here")),
            ("SIP/2.0 200", .response(status: 200, reason: "")),
            ("SIP/2.00000 200 OK", .response(status: 200, reason: "OK")), ("SIP/2.0\t200 OK", nil),
            ("SIP/2.0X200 OK", nil), ("INVITE sip:b@x SIP/2.0", .request(method: "INVITE", uri: "sip:b@x")),
            ("INVITE  sip:b@x  SIP/2.0", .request(method: "INVITE", uri: "sip:b@x")), ("INVITE sip:b@x", nil),
            ("INVITE sip:b@x\tSIP/2.0", nil),
            (
                "BYE sip:a-long-user-name@a.long.host.example:5060;transport=udp SIP/2.0",
                .request(method: "BYE", uri: "sip:a-long-user-name@a.long.host.example:5060;transport=udp")
            ),
        ] as [(String, SIPMessage.StartLine?)])
    func startLines(line: String, expected: SIPMessage.StartLine?) {
        let text = [line, "Call-ID: c@x", "From: <sip:a@x>;tag=1", "To: <sip:b@x>", "CSeq: 1 INVITE", "", ""]
        let message = try? SIPMessage(decoding: Array(text.joined(separator: "\r\n").utf8))
        #expect(message?.startLine == expected)
    }

    @Test("SDP directions and the audio line are read in any case")
    func sdpCase() throws {
        let body = "v=0\r\nc=IN IP4 1.2.3.4\r\nm=AUDIO 4000 RTP/AVP 0\r\na=SendOnly\r\n"
        let lines = [
            "INVITE sip:bob@x SIP/2.0", "Call-ID: c@x", "From: <sip:a@x>;tag=1", "To: <sip:b@x>", "CSeq: 1 INVITE",
            "Content-Type: Application/SDP", "Content-Length: \(body.utf8.count)",
        ]
        let message = try SIPMessage(decoding: Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8))
        #expect(message.contentType == "application/sdp")
        #expect(message.sdpDirection == .sendonly)
    }
}
