import Testing

@testable import RinglogCore

/// The call tracker reads users and tags from a message's bytes; they must read as the decoded fields do.
@Suite("SIP message: fields read from bytes")
struct SIPMessageCallTrackingTests {
    static let uris = [
        "sip:0401234567@pbx.example", "sips:+358401234567@10.0.0.1:5061;user=phone", "tel:+358401234567;ext=12",
        "TEL:0401234567", "SIP:1001@PBX", "sip:pbx.example", "sip:@host", "sip:a;b@host", "sip:al:pw@host",
        "http://example.com", "", "sip:k\u{212A}ll\u{E9}@h\u{F6}st", "tel:\u{0661}\u{0662}\u{0663}",
        "sip:caf\u{E9}@host",
    ]

    @Test("From, To and Request-URI users read as NameAddress.user", arguments: uris)
    func users(uri: String) throws {
        let made = SIPMessage(
            startLine: .request(method: "INVITE", uri: uri), callID: "c", cseqNumber: 1, cseqMethod: "INVITE",
            from: NameAddress(uri: uri, tag: "f"), to: NameAddress(uri: uri))
        var messages = [made]
        if !uri.isEmpty {  // A decoded From or To needs a URI.
            let text =
                "INVITE \(uri) SIP/2.0\r\nFrom: <\(uri)>;tag=f\r\nTo: \"Name\" <\(uri)>\r\n"
                + "Call-ID: c\r\nCSeq: 1 INVITE\r\n\r\n"
            messages.append(try SIPMessage(decoding: Array(text.utf8)))
        }
        for message in messages {
            #expect(message.fromUser == message.from.user)
            #expect(message.toUser == message.to.user)
            guard case .request(_, let requestURI) = message.startLine else {
                Issue.record("not a request")
                continue
            }
            #expect(message.requestURIUser == .some(NameAddress(uri: requestURI).user))
        }
        let response = SIPMessage(
            startLine: .response(status: 200, reason: "OK"), callID: "c", cseqNumber: 1, cseqMethod: "INVITE",
            from: NameAddress(uri: uri), to: NameAddress(uri: uri))
        #expect(response.requestURIUser == nil)
    }

    @Test(
        "From tags compare as strings do",
        arguments: [
            ("abc", "abc", true), ("abc", "abd", false), ("abc", nil, false), (nil, "abc", false), (nil, nil, true),
            ("", "", true), ("caf\u{E9}", "cafe\u{301}", true), ("K", "\u{212A}", true), ("ab", "abc", false),
        ] as [(String?, String?, Bool)])
    func fromTags(messageTag: String?, legTag: String?, equal: Bool) {
        let message = SIPMessage(
            startLine: .response(status: 180, reason: "Ringing"), callID: "c", cseqNumber: 1, cseqMethod: "INVITE",
            from: NameAddress(uri: "sip:a@b", tag: messageTag), to: NameAddress(uri: "sip:c@d"))
        #expect(message.fromTagEquals(legTag) == equal)
        #expect((message.fromTag == legTag) == equal)
    }

    @Test("a To tag is seen whether or not it is empty")
    func toTags() {
        for (tag, present) in [("x", true), ("", true), (nil, false)] as [(String?, Bool)] {
            let message = SIPMessage(
                startLine: .request(method: "INVITE", uri: "sip:a@b"), callID: "c", cseqNumber: 1,
                cseqMethod: "INVITE", from: NameAddress(uri: "sip:a@b", tag: "f"),
                to: NameAddress(uri: "sip:c@d", tag: tag))
            #expect(message.hasToTag == present)
        }
    }

    @Test(
        "the CSeq method's number reads as its name does, in the tracker and the replay's filter",
        arguments: [
            "INVITE", "ACK", "BYE", "CANCEL", "UPDATE", "PRACK", "NOTIFY", "OPTIONS", "REFER", "INFO", "MESSAGE",
            "REGISTER", "PUBLISH", "invite", "Invite", "INVITEX", "SUBSCRIBE", "", "INF", "ACKS",
        ])
    func cseqMethods(method: String) throws {
        let kept: Set = ["INVITE", "ACK", "CANCEL", "BYE", "REFER", "UPDATE", "PRACK", "INFO"]
        let built = SIPMessage(
            startLine: .response(status: 200, reason: "OK"), callID: "c", cseqNumber: 1, cseqMethod: method,
            from: NameAddress(uri: "sip:a@b", tag: "f"), to: NameAddress(uri: "sip:c@d"))
        let text = "SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=f\r\nTo: <sip:c@d>\r\nCall-ID: c\r\nCSeq: 1 \(method)\r\n\r\n"
        // A CSeq without a method does not decode: the empty name is only checked as built.
        let decoded = method.isEmpty ? nil : try SIPMessage(decoding: Array(text.utf8))
        for message in [built] + (decoded.map { [$0] } ?? []) {
            #expect(message.cseqMethod == method)
            #expect(message.cseqMethodIsInvite == (method == "INVITE"))
            #expect(CallReplay.matters(message) == kept.contains(method))
        }
    }
}
