import RinglogSIPOracle
import Testing

/// Where Debian 12's libre 1.1.0 decoder differs from a lenient reading of RFC 3261. When the
/// differential test disagrees on messages like these, libre is the one to doubt.
@Suite("libre 1.1.0 decoder quirks")
struct LibreQuirksTests {
    private static let dialogHeaders =
        "Via: SIP/2.0/UDP h;branch=z9hG4bKq\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: q\r\n"
        + "CSeq: 1 INVITE\r\n"

    private func decode(_ text: String) throws(LibreDecodingError) -> LibreSIPMessage {
        try LibreSIPDecoder.decode(Array(text.utf8))
    }

    @Test("a request is recognised only by an upper-case SIP/2.0 version")
    func lowerCaseVersionIsRejected() {
        #expect(throws: LibreDecodingError.rejected(errno: 74)) {
            try decode("INVITE sip:b@h sip/2.0\r\n" + Self.dialogHeaders + "\r\n")
        }
    }

    @Test("an unreadable From or Content-Type rejects the whole message")
    func unreadableParsedHeaderRejectsMessage() {
        #expect(throws: LibreDecodingError.self) {
            try decode("INVITE sip:b@h SIP/2.0\r\n" + Self.dialogHeaders + "Content-Type: garbage\r\n\r\n")
        }
        #expect(throws: LibreDecodingError.self) {
            try decode(
                "INVITE sip:b@h SIP/2.0\r\nFrom: junk\r\nTo: <sip:b@h>\r\nCall-ID: q\r\nCSeq: 1 INVITE\r\n\r\n")
        }
    }

    @Test("list headers are split at every comma outside quotes, even inside angle brackets")
    func commaInsideAngleBracketsSplits() throws {
        let message = try decode(
            "INVITE sip:b@h SIP/2.0\r\n" + Self.dialogHeaders + "P-Asserted-Identity: <sip:x,y@h>\r\n\r\n")
        // "<sip:x" reads as an addr-spec; "y@h>" is no address at all.
        #expect(message.pAssertedIdentities == [LibreNameAddress(uri: "<sip:x")])
        #expect(message.undecodableHeaders == ["P-Asserted-Identity"])
    }

    @Test("a repeated From header: the last one wins")
    func lastFromWins() throws {
        let message = try decode(
            "INVITE sip:b@h SIP/2.0\r\n" + Self.dialogHeaders + "From: <sip:second@h>;tag=2\r\n\r\n")
        #expect(message.from == LibreNameAddress(uri: "sip:second@h", tag: "2"))
    }

    @Test("the reason phrase keeps trailing blanks; Contact * is no address")
    func reasonPhraseAndWildcardContact() throws {
        let message = try decode("SIP/2.0 200 OK  \r\n" + Self.dialogHeaders + "Contact: *\r\n\r\n")
        #expect(message.startLine == .response(status: 200, reason: "OK  "))
        #expect(message.contact == nil)
        #expect(message.undecodableHeaders == ["Contact"])
    }
}
