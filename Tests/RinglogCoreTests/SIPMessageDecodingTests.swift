import RinglogCore
import Testing

private func decode(_ text: String) throws -> SIPMessage {
    try SIPMessage(decoding: Array(text.utf8))
}

@Suite("SIP decoder")
struct SIPMessageDecodingTests {
    static let invite = """
        INVITE sip:1001@pbx.example.com SIP/2.0\r
        Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-top;rport, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-second\r
        Via: SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK-third\r
        From: "Anna \\"A\\" Virtanen" <sip:+358401234567@carrier.example;user=phone>;tag=from-1\r
        To: <sip:1001@pbx.example.com>\r
        Call-ID: abc-123@10.0.0.1\r
        CSeq: 102 INVITE\r
        Contact: <sip:+358401234567@10.0.0.1:5060;transport=udp>;expires=60\r
        P-Asserted-Identity: "Anna" <sip:+358401234567@carrier.example>, <tel:+358401234567>\r
        Remote-Party-ID: "Anna" <sip:0401234567@carrier.example>;party=calling;privacy=off;screen=yes\r
        Diversion: <sip:0912345@carrier.example>;reason=no-answer;counter=1, "Desk, main" <sip:0913@x>;reason=user-busy\r
        Diversion: <sip:0914@carrier.example>;reason=unconditional\r
        History-Info: <sip:0912345@carrier.example?Reason=SIP%3Bcause%3D302>;index=1, <sip:1001@pbx>;index=1.1\r
        Content-Type: application/SDP; charset=utf-8\r
        Content-Length: 118\r
        \r
        v=0\r
        o=- 1 1 IN IP4 10.0.0.1\r
        s=-\r
        c=IN IP4 10.0.0.1\r
        t=0 0\r
        a=sendrecv\r
        m=audio 4000 RTP/AVP 0\r
        a=sendonly\r

        """

    @Test("a full INVITE")
    func fullInvite() throws {
        let message = try decode(Self.invite)
        #expect(message.startLine == .request(method: "INVITE", uri: "sip:1001@pbx.example.com"))
        #expect(message.method == "INVITE")
        #expect(message.callID == "abc-123@10.0.0.1")
        #expect(message.cseqNumber == 102)
        #expect(message.cseqMethod == "INVITE")
        #expect(message.from.displayName == "Anna \"A\" Virtanen")
        #expect(message.from.uri == "sip:+358401234567@carrier.example;user=phone")
        #expect(message.from.tag == "from-1")
        #expect(message.from.user == "+358401234567")
        #expect(message.to == NameAddress(uri: "sip:1001@pbx.example.com"))
        #expect(message.topViaBranch == "z9hG4bK-top")
        #expect(message.contact?.uri == "sip:+358401234567@10.0.0.1:5060;transport=udp")
        #expect(
            message.pAssertedIdentities == [
                NameAddress(displayName: "Anna", uri: "sip:+358401234567@carrier.example"),
                NameAddress(uri: "tel:+358401234567"),
            ])
        #expect(message.remotePartyID == NameAddress(displayName: "Anna", uri: "sip:0401234567@carrier.example"))
        #expect(
            message.diversions.map(\.uri) == ["sip:0912345@carrier.example", "sip:0913@x", "sip:0914@carrier.example"])
        #expect(message.diversions[1].displayName == "Desk, main")
        #expect(
            message.historyInfo.map(\.uri) == ["sip:0912345@carrier.example?Reason=SIP%3Bcause%3D302", "sip:1001@pbx"])
        #expect(message.contentType == "application/sdp")
        #expect(message.sdpDirection == .sendonly)
    }

    @Test("compact header names, odd case, bare LF line ends")
    func compactForms() throws {
        let text = """
            BYE sip:bob@10.0.0.2 SIP/2.0
            v: SIP/2.0/TCP 10.0.0.1;BRANCH=z9hG4bK-c
            f: Bob <sip:bob@example.com>;TAG=b1
            t: sip:alice@example.com;tag=a1
            i: short-form
            cseq: 7 BYE
            m: sip:bob@10.0.0.1
            r: <sip:carol@example.com>
            b: <sip:bob@example.com>
            c: text/plain
            l: 0

            """
        let message = try decode(text)
        #expect(message.startLine == .request(method: "BYE", uri: "sip:bob@10.0.0.2"))
        #expect(message.topViaBranch == "z9hG4bK-c")
        #expect(message.from == NameAddress(displayName: "Bob", uri: "sip:bob@example.com", tag: "b1"))
        #expect(message.to == NameAddress(uri: "sip:alice@example.com", tag: "a1"))
        #expect(message.callID == "short-form")
        #expect(message.cseqNumber == 7)
        #expect(message.contact?.uri == "sip:bob@10.0.0.1")
        #expect(message.referTo?.uri == "sip:carol@example.com")
        #expect(message.referredBy?.uri == "sip:bob@example.com")
        #expect(message.contentType == "text/plain")
        #expect(message.sdpDirection == nil)
    }

    @Test("folded header lines are joined")
    func folding() throws {
        let text = """
            SIP/2.0 180 Ringing\r
            Via: SIP/2.0/UDP 10.0.0.1;\r
             branch=z9hG4bK-folded\r
            From:\r
            \t"Long\r
             Name" <sip:a@b>;tag=x\r
            To: <sip:c@d>;tag=y\r
            Call-ID: fold@host\r
            CSeq: 1\r
              INVITE\r
            Reason: SIP;cause=200;text="Call completed elsewhere",\r
             Q.850;cause=16\r
            \r

            """
        let message = try decode(text)
        #expect(message.startLine == .response(status: 180, reason: "Ringing"))
        #expect(message.statusCode == 180)
        #expect(message.topViaBranch == "z9hG4bK-folded")
        #expect(message.from == NameAddress(displayName: "Long Name", uri: "sip:a@b", tag: "x"))
        #expect(message.cseqMethod == "INVITE")
        #expect(message.reasons == ["SIP;cause=200;text=\"Call completed elsewhere\"", "Q.850;cause=16"])
    }

    @Test("Refer-To with an embedded, URL-escaped Replaces; Replaces header; Referred-By")
    func referAndReplaces() throws {
        let refer = """
            REFER sip:carol@10.0.0.3 SIP/2.0\r
            From: <sip:alice@x>;tag=1\r
            To: <sip:carol@x>;tag=2\r
            Call-ID: refer@x\r
            CSeq: 3 REFER\r
            Refer-To: <sip:bob@x?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>\r
            Referred-By: "Alice" <sip:alice@x>\r
            \r

            """
        let message = try decode(refer)
        #expect(
            message.referTo?.uri == "sip:bob@x?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994")
        #expect(message.replaces == Replaces(callID: "12345@192.168.118.3", toTag: "12345", fromTag: "5FFE-3994"))
        #expect(message.referredBy == NameAddress(displayName: "Alice", uri: "sip:alice@x"))

        let invite = """
            INVITE sip:bob@x SIP/2.0\r
            From: <sip:carol@x>;tag=9\r
            To: <sip:bob@x>\r
            Call-ID: new@x\r
            CSeq: 1 INVITE\r
            Replaces: 425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only\r
            \r

            """
        let replaced = try decode(invite)
        #expect(replaced.replaces == Replaces(callID: "425928@bobster.example.org", toTag: "7743", fromTag: "6472"))
    }

    @Test("commas and semicolons inside quotes and angle brackets do not split")
    func quotedCommas() throws {
        let text = """
            INVITE sip:x@y SIP/2.0\r
            From: "Smith, John; Jr" <sip:j@y;lr>;tag=t1\r
            To: <sip:a@y>\r
            Call-ID: q@y\r
            CSeq: 1 INVITE\r
            P-Asserted-Identity: "A, B" <sip:1@y>,<sip:2@y>\r
            P-Asserted-Identity: <sip:3@y>\r
            \r

            """
        let message = try decode(text)
        #expect(message.from == NameAddress(displayName: "Smith, John; Jr", uri: "sip:j@y;lr", tag: "t1"))
        #expect(message.pAssertedIdentities.map(\.uri) == ["sip:1@y", "sip:2@y", "sip:3@y"])
        #expect(message.pAssertedIdentities.first?.displayName == "A, B")
    }

    @Test("missing body, Content-Length longer or shorter than the body")
    func contentLength() throws {
        let head =
            "INVITE sip:x@y SIP/2.0\r\nFrom: <sip:a@y>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
        let body = "v=0\r\nm=audio 1 RTP/AVP 0\r\na=inactive\r\n"
        let noBody = try decode(head + "Content-Type: application/sdp\r\nContent-Length: 40\r\n\r\n")
        #expect(noBody.sdpDirection == nil)
        let longer = try decode(head + "Content-Type: application/sdp\r\nContent-Length: 900\r\n\r\n" + body)
        #expect(longer.sdpDirection == .inactive)
        let cut = try decode(head + "Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\n" + body)
        #expect(cut.sdpDirection == .sendrecv)
        let noHeadersEnd = try decode(head.dropLast(2) + "")
        #expect(noHeadersEnd.callID == "c")
    }

    @Test("SDP: session level, hold by 0.0.0.0, first audio stream wins")
    func sdpDirection() throws {
        let head =
            "INVITE sip:x@y SIP/2.0\nf: <sip:a@y>;tag=1\nt: <sip:x@y>\ni: c\nCSeq: 1 INVITE\nc: application/sdp\n\n"
        #expect(try decode(head + "v=0\na=recvonly\nm=audio 1 RTP/AVP 0\n").sdpDirection == .recvonly)
        #expect(try decode(head + "v=0\nc=IN IP4 0.0.0.0\nm=audio 1 RTP/AVP 0\n").sdpDirection == .inactive)
        #expect(
            try decode(
                head
                    + "v=0\nm=video 2 RTP/AVP 96\na=inactive\nm=audio 1 RTP/AVP 0\na=sendonly\nm=audio 3 RTP/AVP 0\na=recvonly\n"
            )
            .sdpDirection == .sendonly)
    }

    @Test("bare addr-spec keeps the URI up to the header parameters; empty display name is nil")
    func addrSpec() throws {
        let text =
            "SIP/2.0 200 OK\r\nFrom: sip:a@b;tag=1\r\nTo: \"\" <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 5 BYE\r\nContact: *\r\n\r\n"
        let message = try decode(text)
        #expect(message.from == NameAddress(uri: "sip:a@b", tag: "1"))
        #expect(message.to == NameAddress(uri: "sip:c@d", tag: "2"))
        #expect(message.contact == nil)
    }

    @Test("a malformed message that repeats From or To: the last copy wins, as in libre")
    func repeatedFromAndTo() throws {
        let message = try decode(
            "OPTIONS sip:pbx SIP/2.0\r\nCall-ID: r1\r\nCSeq: 1 OPTIONS\r\nf: <sip:a@x>;tag=1\r\n"
                + "From: <sip:b@x>;tag=2\r\nt: <sip:97239287044@x>\r\nTo: <sip:12345@x>\r\n\r\n")
        #expect(message.from == NameAddress(uri: "sip:b@x", tag: "2"))
        #expect(message.to == NameAddress(uri: "sip:12345@x"))
    }

    @Test("a status line without a reason phrase")
    func noReasonPhrase() throws {
        let message = try decode("SIP/2.0 200\r\nf: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: x\r\nCSeq: 1 INVITE\r\n\r\n")
        #expect(message.startLine == .response(status: 200, reason: ""))
    }

    @Test("errors: bad start line, missing headers, too large")
    func errors() {
        #expect(throws: SIPDecodingError.badStartLine) { try decode("") }
        #expect(throws: SIPDecodingError.badStartLine) { try decode("\r\n\r\n") }
        #expect(throws: SIPDecodingError.badStartLine) { try decode("HELLO\r\n\r\n") }
        #expect(throws: SIPDecodingError.badStartLine) { try decode("INVITE sip:x HTTP/1.1\r\n\r\n") }
        #expect(throws: SIPDecodingError.badStartLine) { try decode("SIP/2.0 2x0 OK\r\n\r\n") }
        #expect(throws: SIPDecodingError.missingHeader("Call-ID")) {
            try decode("BYE sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCSeq: 1 BYE\r\n\r\n")
        }
        #expect(throws: SIPDecodingError.missingHeader("CSeq")) {
            try decode(
                "BYE sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 99999999999 BYE\r\n\r\n")
        }
        #expect(throws: SIPDecodingError.missingHeader("To")) {
            try decode("BYE sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n\r\n")
        }
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: SIPMessage.maximumEncodedSize + 1)
        #expect(throws: SIPDecodingError.tooLarge(SIPMessage.maximumEncodedSize + 1)) { try SIPMessage(decoding: huge) }
    }

    @Test("every lab message decodes", arguments: HEPFixtures.scenarios)
    func labMessages(scenario: String) throws {
        for packet in try HEPFixtures.packets(scenario) {
            let message = try SIPMessage(decoding: packet.payload)
            #expect(!message.callID.isEmpty)
            #expect(message.from.tag != nil)
            if message.method == "INVITE" || message.method == "BYE" { #expect(message.topViaBranch != nil) }
        }
    }

    @Test("the lab's ring group 200 names the answering phone in its Contact")
    func labContact() throws {
        let answers = try HEPFixtures.packets("ring_group").compactMap { try? SIPMessage(decoding: $0.payload) }
            .filter { $0.statusCode == 200 && $0.cseqMethod == "INVITE" }
        #expect(answers.first?.contact?.user == "1002-0x559f57310cc0")
        #expect(answers.first?.sdpDirection == .sendrecv)
    }

    @Test("every prefix and bounded random mutations of real messages never trap")
    func hostileInput() throws {
        let payloads = try HEPFixtures.packets("transfer").map(\.payload).prefix(40)
        var generator = SplitMix64(seed: 42)
        let interesting = Array("\r\n \t\"<>,;:=%?\\".utf8)
        for payload in payloads + [Array(Self.invite.utf8)] {
            for length in stride(from: 0, through: payload.count, by: 3) {
                _ = try? SIPMessage(decoding: payload.prefix(length))
            }
            for _ in 0..<120 {
                var mutated = payload
                for _ in 0..<Int(generator.next() % 6 + 1) {
                    let index = Int(generator.next() % UInt64(mutated.count))
                    let choice = generator.next()
                    if choice % 3 == 0 {
                        mutated[index] = interesting[Int(choice / 3 % UInt64(interesting.count))]
                    } else if choice % 3 == 1 {
                        mutated[index] = UInt8(truncatingIfNeeded: choice >> 8)
                    } else {
                        mutated.remove(at: index)
                        if mutated.isEmpty { break }
                    }
                }
                _ = try? SIPMessage(decoding: mutated)
            }
        }
        // Pathological shapes: thousands of commas, quotes and folds.
        let commas =
            "INVITE sip:x SIP/2.0\r\nP-Asserted-Identity: " + String(repeating: ",", count: 20_000)
            + "\r\nFrom: \"" + String(repeating: "\\", count: 999) + "\r\n\r\n"
        _ = try? decode(commas)
        let folds = "INVITE sip:x SIP/2.0\r\nVia: a" + String(repeating: "\r\n ;", count: 5_000) + "\r\n\r\n"
        _ = try? decode(folds)
    }
}
