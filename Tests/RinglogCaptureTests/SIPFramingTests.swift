import Testing

@testable import RinglogCapture

@Suite struct SIPFramingTests {
    @Test(arguments: [
        "INVITE sip:1001@127.0.0.1 SIP/2.0\r\n", "SIP/2.0 180 Ringing\r\n", "SIP/2.0 200 OK\n",
        "REGISTER sips:example.com SIP/2.0\r\n", "INFO tel:+4930123 SIP/2.0\r\n", "X-CUSTOM sip:a SIP/2.0\r\n",
    ])
    func recognisesStartLines(_ line: String) {
        #expect(SIPStartLine.isSIPMessage(Array(line.utf8)[...]))
    }

    @Test(arguments: [
        "", "HTTP/1.1 200 OK\r\n", "SIP/2.0 2000 OK\r\n", "SIP/2.0 20 OK\r\n", "invite sip:a SIP/2.0\r\n",
        "INVITE sip:a SIP/3.0\r\n", "INVITE  sip:a SIP/2.0\r\n", "INVITE sip:a b SIP/2.0\r\n", "GET / HTTP/1.1\r\n",
        "INVITE sip:a SIP/2.0", "\r\n\r\n",
    ])
    func rejectsOtherText(_ line: String) {
        #expect(!SIPStartLine.isSIPMessage(Array(line.utf8)[...]))
    }

    @Test func requestURIsAreCheckedByteForByteAtAnyLength() {
        let good = "INVITE sip:" + String(repeating: "0123456789@example.com;", count: 20)
        #expect(SIPStartLine.isSIPMessage(Array((good + " SIP/2.0\r\n").utf8)[...]))
        #expect(SIPStartLine.verdict(for: Array(good.utf8)[...]) == .needMoreData)
        for bad: UInt8 in [0x00, 0x09, 0x1f, 0x7f, 0x80, 0xc3, 0xff] {
            for position in 0..<24 {
                var line = Array("INVITE sip:abcdefghijklmnopqrstuvwxyz SIP/2.0\r\n".utf8)
                line[11 + position] = bad
                #expect(SIPStartLine.verdict(for: line[...]) == .notSIP, "byte \(bad) at \(position)")
            }
        }
    }

    @Test func methodsAreUpperCaseTokensOfAtMost32Characters() {
        for method in [
            "ACK", "INVITE", "REGISTER", "SUBSCRIBE", "A-B_C", "X", "ABCDEFG-", String(repeating: "Q", count: 32),
        ] {
            #expect(SIPStartLine.isSIPMessage(Array("\(method) sip:a SIP/2.0\r\n".utf8)[...]), "\(method)")
        }
        for method in ["INVITe", "INV\u{C9}TE", "INVITE\t", "REGISTER\u{0}", "A1", String(repeating: "Q", count: 33)] {
            #expect(!SIPStartLine.isSIPMessage(Array("\(method) sip:a SIP/2.0\r\n".utf8)[...]), "\(method)")
        }
        for bad: UInt8 in [0x40, 0x5b, 0xc1, 0xda, 0x61, 0x7a] {
            for position in 0..<10 {
                var line = Array("ABCDEFGHIJ sip:a SIP/2.0\r\n".utf8)
                line[position] = bad
                #expect(!SIPStartLine.isSIPMessage(line[...]), "byte \(bad) at \(position)")
            }
        }
    }

    @Test func requestURIsLongerThanTheLimitAreNotSIP() {
        let uri = "sip:" + String(repeating: "a", count: SIPStartLine.maximumLength)
        #expect(!SIPStartLine.isSIPMessage(Array("INVITE \(uri) SIP/2.0\r\n".utf8)[...]))
        let fits = "sip:" + String(repeating: "a", count: SIPStartLine.maximumLength - 12)
        #expect(SIPStartLine.isSIPMessage(Array("INVITE \(fits) SIP/2.0\r\n".utf8)[...]))
    }

    @Test func incompleteStartLinesNeedMoreData() {
        for text in ["S", "SIP/2", "SIP/2.0 1", "INV", "INVITE sip:a@b", "INVITE sip:a SIP/2."] {
            #expect(SIPStartLine.verdict(for: Array(text.utf8)[...]) == .needMoreData, "\(text)")
        }
    }

    @Test func framesByContentLengthIncludingTheCompactForm() {
        let long = Array("SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbodyREST".utf8)
        #expect(SIPStreamFramer.frame(long[...], maximumLength: 1000) == .message(skipped: 0, length: long.count - 4))
        let compact = Array("\r\n\r\nSIP/2.0 200 OK\r\nl : 2\r\n\r\nok".utf8)
        #expect(
            SIPStreamFramer.frame(compact[...], maximumLength: 1000) == .message(skipped: 4, length: compact.count - 4))
        let bareLF = Array("SIP/2.0 200 OK\ncontent-length:1\n\nx".utf8)
        #expect(SIPStreamFramer.frame(bareLF[...], maximumLength: 1000) == .message(skipped: 0, length: bareLF.count))
        let none = Array("SIP/2.0 100 Trying\r\nCall-ID: a\r\n\r\n".utf8)
        #expect(SIPStreamFramer.frame(none[...], maximumLength: 1000) == .message(skipped: 0, length: none.count))
    }

    @Test func waitsForTheBodyAndRefusesNonsense() {
        let partial = Array("SIP/2.0 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8)
        #expect(SIPStreamFramer.frame(partial[...], maximumLength: 1000) == .needMoreData(skipped: 0))
        let tooLong = Array("SIP/2.0 200 OK\r\nContent-Length: 5000\r\n\r\n".utf8)
        #expect(SIPStreamFramer.frame(tooLong[...], maximumLength: 1000) == .invalid)
        let negative = Array("SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n".utf8)
        #expect(SIPStreamFramer.frame(negative[...], maximumLength: 1000) == .invalid)
        let notSIP = Array("GARBAGE\r\n\r\n".utf8)
        #expect(SIPStreamFramer.frame(notSIP[...], maximumLength: 1000) == .invalid)
    }

    @Test func webSocketFramesAreUnmaskedAndBounded() {
        let payload = Array("SIP/2.0 200 OK\r\n\r\n".utf8)
        let unmasked: [UInt8] = [0x82, UInt8(payload.count)] + payload
        #expect(
            WebSocketFrameParser.frame(unmasked[...], maximumPayloadLength: 100)
                == .frame(opcode: .binary, isFinal: true, payload: payload, length: unmasked.count))
        #expect(WebSocketFrameParser.frame(unmasked[...], maximumPayloadLength: 10) == .invalid)
        #expect(WebSocketFrameParser.frame(unmasked.prefix(5), maximumPayloadLength: 100) == .needMoreData)
        let huge: [UInt8] = [0x81, 0x7f, 0xff, 0, 0, 0, 0, 0, 0, 1]
        #expect(WebSocketFrameParser.frame(huge[...], maximumPayloadLength: 1 << 20) == .invalid)
        #expect(WebSocketFrameParser.frame([0xf1, 0x00][...], maximumPayloadLength: 100) == .invalid)
    }

    @Test func hepStreamFramingReadsTheV3LengthField() throws {
        let stream = try TestFixtures.labHEPStream()
        var offset = 0
        var count = 0
        while offset < stream.count, count < 100 {
            let length = try #require(HEPStreamFramer.packetLength(startingWith: stream[offset...]))
            #expect(length >= 6)
            offset += length
            count += 1
        }
        #expect(count == 21)
        #expect(offset == stream.count)
        #expect(HEPStreamFramer.packetLength(startingWith: stream.prefix(3)) == nil)
        #expect(HEPStreamFramer.packetLength(startingWith: Array("GET / HTTP/1.1".utf8)[...]) == 0)
    }
}
