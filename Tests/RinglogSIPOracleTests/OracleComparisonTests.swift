import RinglogCore
import RinglogSIPOracle
import Testing

/// The comparison itself, checked with hand-built ``SIPMessage`` values against libre's real decoding.
@Suite("Comparison rules between ringlog and libre")
struct OracleComparisonTests {
    /// What a correct decoder returns for `edge-refer-with-replaces.sip`.
    private let referWithReplaces = SIPMessage(
        startLine: .request(method: "REFER", uri: "sip:1002@127.0.0.1:15120"), callID: "refer-1@127.0.0.1",
        cseqNumber: 5, cseqMethod: "REFER", from: NameAddress(uri: "sip:1001@127.0.0.1", tag: "ref1"),
        to: NameAddress(uri: "sip:1002@127.0.0.1", tag: "ref2"), topViaBranch: "z9hG4bKrefer",
        contact: NameAddress(uri: "sip:1001@127.0.0.1:15110"),
        referTo: NameAddress(
            uri: "sip:1003@127.0.0.1?Replaces=consult-7%40127.0.0.1%3Bto-tag%3Dtt9%3Bfrom-tag%3Dff8"),
        referredBy: NameAddress(displayName: "Anna", uri: "sip:1001@127.0.0.1"),
        replaces: Replaces(callID: "consult-7@127.0.0.1", toTag: "tt9", fromTag: "ff8"))

    @Test("a correct decoding has no differences")
    func agreeingDecodings() throws {
        let libre = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-refer-with-replaces.sip"))
        #expect(OracleComparison.differences(ringlog: referWithReplaces, libre: libre) == [])
    }

    @Test("a wrong tag, URI, Replaces or missing Referred-By is reported")
    func disagreeingDecodings() throws {
        let libre = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-refer-with-replaces.sip"))
        var wrong = referWithReplaces
        wrong.to.tag = nil
        wrong.referTo?.uri = "sip:1003@127.0.0.1"
        wrong.replaces?.toTag = "other"
        wrong.referredBy = nil
        let differences = OracleComparison.differences(ringlog: wrong, libre: libre)
        #expect(differences.count == 4)
        #expect(differences.contains { $0.hasPrefix("To tag") })
        #expect(differences.contains { $0.hasPrefix("Refer-To URI") })
        #expect(differences.contains { $0.hasPrefix("Replaces to-tag") })
        #expect(differences.contains { $0.hasPrefix("Referred-By") })
    }

    @Test("folded Reason values and unquoted display names are normalised, nothing else")
    func representationOnlyNormalisation() throws {
        let folded = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-folded-lines.sip"))
        var message = SIPMessage(
            startLine: .request(method: "INVITE", uri: "sip:1002@127.0.0.1"), callID: "folded-1@127.0.0.1",
            cseqNumber: 3, cseqMethod: "INVITE",
            from: NameAddress(displayName: "Folded Name", uri: "sip:1001@127.0.0.1", tag: "fold1"),
            to: NameAddress(uri: "sip:1002@127.0.0.1"), topViaBranch: "z9hG4bKfolded",
            pAssertedIdentities: [
                NameAddress(displayName: "Anna", uri: "sip:1001@127.0.0.1"), NameAddress(uri: "tel:+4930123456"),
            ],
            reasons: ["SIP;cause=487;text=\"Request Terminated\""])
        #expect(OracleComparison.differences(ringlog: message, libre: folded) == [])
        message.pAssertedIdentities.removeLast()
        #expect(OracleComparison.differences(ringlog: message, libre: folded).count == 1)

        let unquoted = try LibreSIPDecoder.decode(try SIPFixtures.bytes("edge-addr-spec-and-unquoted-names.sip"))
        var bye = SIPMessage(
            startLine: .request(method: "BYE", uri: "sip:1001@127.0.0.1:15110"), callID: "addr-spec-1@127.0.0.1",
            cseqNumber: 4, cseqMethod: "BYE", from: NameAddress(uri: "sip:1002@127.0.0.1", tag: "as1"),
            to: NameAddress(displayName: "Anna Example", uri: "sip:1001@127.0.0.1;user=phone", tag: "as2"),
            topViaBranch: "z9hG4bKaddrspec")
        #expect(OracleComparison.differences(ringlog: bye, libre: unquoted) == [])
        bye.from.uri = "sip:1002@127.0.0.1;tag=as1"
        #expect(OracleComparison.differences(ringlog: bye, libre: unquoted).count == 1)
    }
}
