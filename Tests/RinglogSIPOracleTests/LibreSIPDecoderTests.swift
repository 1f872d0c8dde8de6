import RinglogSIPOracle
import Testing

@Suite("libre decodes the SIP fixtures")
struct LibreSIPDecoderTests {
    @Test("the fixture folder holds the extracted and hand-written messages")
    func fixturesArePresent() {
        #expect(SIPFixtures.names.count >= 700)
        #expect(SIPFixtures.names.contains { $0.hasPrefix("lab-") })
        #expect(SIPFixtures.names.contains { $0.hasPrefix("capture-") })
        #expect(SIPFixtures.names.contains { $0.hasPrefix("edge-") })
    }

    @Test("every fixture decodes with Call-ID, CSeq, From and To", arguments: SIPFixtures.names)
    func decodesFixture(name: String) throws {
        let message = try LibreSIPDecoder.decode(try SIPFixtures.bytes(name))
        #expect(message.hasDialogHeaders)
        #expect(message.undecodableHeaders.isEmpty)
        if case .request(let method, let uri) = message.startLine {
            #expect(!method.isEmpty && !uri.isEmpty)
        }
    }

    @Test("incomplete and malformed input is reported, not decoded")
    func rejectsIncompleteInput() {
        #expect(throws: LibreDecodingError.incomplete) { try LibreSIPDecoder.decode([UInt8]()) }
        #expect(throws: LibreDecodingError.incomplete) {
            try LibreSIPDecoder.decode(Array("INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\n".utf8))
        }
        #expect(throws: LibreDecodingError.self) {
            try LibreSIPDecoder.decode(Array("SIP/2.0 abc Broken\r\nCall-ID: x\r\n\r\n".utf8))
        }
    }

    @Test("compact header names")
    func compactHeaders() throws {
        let message = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-compact-headers.sip"))
        #expect(message.callID == "compact-1@127.0.0.1")
        #expect(message.from == LibreNameAddress(displayName: "Anna Example", uri: "sip:1001@127.0.0.1", tag: "f1"))
        #expect(message.topViaBranch == "z9hG4bKcompact1")
        #expect(message.contact?.uri == "sip:1001@127.0.0.1:15110;transport=udp")
        #expect(message.contentType == "application/sdp")

        let refer = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-compact-refer-to.sip"))
        #expect(refer.referTo?.uri == "sip:+4930222222@127.0.0.1;user=phone")
        #expect(refer.referredBy?.uri == "sip:1001@127.0.0.1")
    }

    @Test("repeated and comma-joined headers give one value each, in order")
    func repeatedAndCommaJoinedHeaders() throws {
        let message = try LibreSIPDecoder.decode(
            try SIPFixtures.bytes("edge-repeated-and-comma-joined-headers.sip"))
        #expect(message.topViaBranch == "z9hG4bKtop")
        #expect(message.contact?.uri == "sip:+4930111111@127.0.0.1:15091")
        #expect(
            message.pAssertedIdentities == [
                LibreNameAddress(displayName: "Caller, Example", uri: "sip:+4930111111@127.0.0.1;user=phone"),
                LibreNameAddress(uri: "tel:+4930111111"),
                LibreNameAddress(uri: "sip:third@127.0.0.1"),
            ])
        #expect(
            message.diversions.map(\.uri) == [
                "sip:2000@127.0.0.1", "sip:1003@127.0.0.1", "sip:+4930999999@127.0.0.1",
            ])
        #expect(message.diversions.last?.displayName == "Original, Called")
        #expect(
            message.historyInfo.map(\.uri) == ["sip:2000@127.0.0.1", "sip:1002@127.0.0.1?Reason=SIP%3Bcause%3D302"])
        #expect(message.remotePartyID == LibreNameAddress(displayName: "Caller", uri: "sip:+4930111111@127.0.0.1"))
        #expect(
            message.reasons == [
                "SIP;cause=200;text=\"Call completed, elsewhere\"", "Q.850;cause=16", "Q.850;cause=31",
            ])
    }

    @Test("folded header lines are joined")
    func foldedLines() throws {
        let message = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-folded-lines.sip"))
        #expect(message.from == LibreNameAddress(displayName: "Folded Name", uri: "sip:1001@127.0.0.1", tag: "fold1"))
        #expect(message.cseqNumber == 3)
        #expect(message.cseqMethod == "INVITE")
        #expect(message.pAssertedIdentities.map(\.uri) == ["sip:1001@127.0.0.1", "tel:+4930123456"])
        #expect(message.reasons == ["SIP;cause=487; text=\"Request Terminated\""])
    }

    @Test("bare LF line ends")
    func bareLineFeeds() throws {
        let message = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-bare-lf.sip"))
        #expect(message.startLine == .response(status: 180, reason: "Ringing"))
        #expect(message.to?.tag == "lf2")
        #expect(message.contact?.uri == "sip:1002@127.0.0.1:15120")
    }

    @Test("Replaces from its own header and unescaped from a Refer-To URI")
    func replaces() throws {
        let expected = LibreReplaces(callID: "consult-7@127.0.0.1", toTag: "tt9", fromTag: "ff8")
        let refer = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-refer-with-replaces.sip"))
        #expect(refer.replaces == expected)
        #expect(refer.referTo?.uri.hasPrefix("sip:1003@127.0.0.1?Replaces=consult-7%40127.0.0.1") == true)
        #expect(refer.referredBy?.displayName == "Anna")

        let invite = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-invite-with-replaces.sip"))
        #expect(invite.replaces == expected)
        #expect(invite.referredBy?.uri == "sip:1001@127.0.0.1")
    }

    @Test("libre keeps only the last word of an unquoted display name; addr-spec URIs end at the first ;")
    func addrSpecAndUnquotedNames() throws {
        let message = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-addr-spec-and-unquoted-names.sip"))
        #expect(message.from == LibreNameAddress(uri: "sip:1002@127.0.0.1", tag: "as1"))
        #expect(
            message.to == LibreNameAddress(displayName: "Example", uri: "sip:1001@127.0.0.1;user=phone", tag: "as2"))
    }

    @Test("connected party in a response")
    func connectedParty() throws {
        let message = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-response-connected-party.sip"))
        #expect(message.startLine == .response(status: 200, reason: "OK"))
        #expect(message.remotePartyID == LibreNameAddress(displayName: "Bea", uri: "sip:1002@127.0.0.1"))
        #expect(message.pAssertedIdentities == [LibreNameAddress(uri: "tel:1002;phone-context=127.0.0.1")])
        #expect(message.contentType == "application/sdp")
    }
}
