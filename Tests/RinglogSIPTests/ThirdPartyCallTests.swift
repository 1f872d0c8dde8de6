import Foundation
import RinglogSIP
import Synchronization
import Testing
import class RinglogCore.Locked

/// Click-to-call against a scripted peer that plays both the PBX and the user's phone on one UDP port.
@Suite("Third-party call: INVITE the user's phone, REFER it to the target", .serialized)
struct ThirdPartyCallTests {
    private let account = SIPAccount(username: "agent", password: "s3cret", domain: "pbx.test")

    private func makeAgent(_ peer: UDPTestPeer) async throws -> SIPUserAgent {
        try await SIPUserAgent(
            configuration: SIPUserAgentConfiguration(account: account, outboundProxy: "sip:127.0.0.1:\(peer.port)"))
    }

    private func request(answerTimeout: Duration = .seconds(30), responseTimeout: Duration = .seconds(8))
        -> ThirdPartyCallRequest
    {
        ThirdPartyCallRequest(
            phoneURI: "sip:1001@pbx.test", targetURI: "sip:0401234567@pbx.test",
            extraHeaders: ["Call-Info: <sip:pbx.test>;answer-after=0", "Alert-Info: info=alert-autoanswer"],
            answerTimeout: answerTimeout, responseTimeout: responseTimeout)
    }

    private static let challengeHeader = #"Proxy-Authenticate: Digest realm="pbx.test", nonce="abc123", algorithm=MD5"#

    /// Challenges the INVITE and returns the one that carries credentials.
    private func challengeInvite(_ peer: ScriptedPeer) async throws -> ScriptedPeer.Received {
        let first = try await peer.next()
        try peer.reply(
            to: first,
            first.message.response(
                "407 Proxy Authentication Required", toTag: "pbx",
                extraHeaders: [Self.challengeHeader]))
        let ack = try await peer.next(after: first)
        #expect(ack.message.startLine.hasPrefix("ACK "))
        return try await peer.next(after: ack)
    }

    /// Answers `invite` with 180 and a 200 OK carrying SDP; returns the ACK.
    private func answer(_ invite: ScriptedPeer.Received, _ peer: ScriptedPeer) async throws -> ScriptedPeer.Received {
        try peer.reply(to: invite, invite.message.response("180 Ringing", toTag: "phone"))
        let sdp =
            "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\na=inactive\r\n"
        try peer.reply(
            to: invite,
            invite.message.response(
                "200 OK", toTag: "phone", extraHeaders: ["Contact: <sip:1001@127.0.0.1:\(peer.port)>"],
                body: sdp, contentType: "application/sdp"))
        let ack = try await peer.next(after: invite)
        #expect(ack.message.startLine == "ACK sip:1001@127.0.0.1:\(peer.port) SIP/2.0")
        return ack
    }

    @Test(
        "the phone answers: INVITE with auto-answer headers and credentials, REFER to the target, BYE",
        .timeLimit(.minutes(1)))
    func answeredAndReferred() async throws {
        let udp = try UDPTestPeer()
        let peer = ScriptedPeer(udp)
        let agent = try await makeAgent(udp)
        let outcome = Task { try await agent.placeThirdPartyCall(request()) }

        let first = try await peer.next()
        #expect(first.message.startLine == "INVITE sip:1001@pbx.test SIP/2.0")
        #expect(first.message.value("Route") == "<sip:127.0.0.1:\(udp.port);lr>")
        #expect(first.message.value("Call-Info") == "<sip:pbx.test>;answer-after=0")
        #expect(first.message.value("Alert-Info") == "info=alert-autoanswer")
        #expect(first.message.value("Content-Type") == "application/sdp")
        #expect(first.message.value("From")?.contains("<sip:agent@pbx.test>") == true)
        #expect(first.message.body.contains("a=inactive"))
        try peer.reply(
            to: first,
            first.message.response(
                "407 Proxy Authentication Required", toTag: "pbx",
                extraHeaders: [Self.challengeHeader]))
        let challengeAck = try await peer.next(after: first)
        let invite = try await peer.next(after: challengeAck)
        let credentials = SIPTestMessage.digestParameters(try #require(invite.message.value("Proxy-Authorization")))
        #expect(credentials["username"] == "agent")
        #expect(credentials["realm"] == "pbx.test")
        #expect(invite.message.value("Call-ID") == first.message.value("Call-ID"))

        let ack = try await answer(invite, peer)
        let refer = try await peer.next(after: ack)
        #expect(refer.message.startLine == "REFER sip:1001@127.0.0.1:\(udp.port) SIP/2.0")
        #expect(refer.message.value("Refer-To") == "<sip:0401234567@pbx.test>")
        #expect(refer.message.value("Referred-By") == "<sip:agent@pbx.test>")
        #expect(refer.message.value("Call-ID") == invite.message.value("Call-ID"))
        #expect(refer.message.value("To")?.contains("tag=phone") == true)
        #expect(refer.message.value("Contact") != nil)
        try peer.reply(to: refer, refer.message.response("202 Accepted", toTag: "phone"))

        let result = try await outcome.value
        #expect(result.referStatusCode == 202)
        #expect(result.callID == invite.message.value("Call-ID"))
        let bye = try await peer.next(after: refer)
        #expect(bye.message.startLine == "BYE sip:1001@127.0.0.1:\(udp.port) SIP/2.0")
        try peer.reply(to: bye, bye.message.response("200 OK", toTag: "phone"))
        await agent.shutdown()
    }

    @Test("a refused REFER is reported with its status, and ringlog's leg is hung up", .timeLimit(.minutes(1)))
    func referRefused() async throws {
        let udp = try UDPTestPeer()
        let peer = ScriptedPeer(udp)
        let agent = try await makeAgent(udp)
        let outcome = Task { try await agent.placeThirdPartyCall(request()) }
        let invite = try await challengeInvite(peer)
        let ack = try await answer(invite, peer)
        let refer = try await peer.next(after: ack)
        try peer.reply(to: refer, refer.message.response("403 Forbidden", toTag: "phone"))
        await #expect(throws: ThirdPartyCallError.referRefused(statusCode: 403, reason: "Forbidden")) {
            _ = try await outcome.value
        }
        let bye = try await peer.next(after: refer)
        #expect(bye.message.startLine.hasPrefix("BYE "))
        await agent.shutdown()
    }

    @Test("credentials the PBX refuses again are an authentication failure", .timeLimit(.minutes(1)))
    func authenticationFails() async throws {
        let udp = try UDPTestPeer()
        let peer = ScriptedPeer(udp)
        let agent = try await makeAgent(udp)
        let outcome = Task { try await agent.placeThirdPartyCall(request()) }
        let invite = try await challengeInvite(peer)
        try peer.reply(
            to: invite,
            invite.message.response(
                "407 Proxy Authentication Required", toTag: "pbx2",
                extraHeaders: [Self.challengeHeader]))
        await #expect(throws: ThirdPartyCallError.authenticationFailed(statusCode: 407)) {
            _ = try await outcome.value
        }
        await agent.shutdown()
    }

    @Test(
        "a busy phone did not answer; an unknown extension is its own error", .timeLimit(.minutes(1)),
        arguments: [
            ("486 Busy Here", ThirdPartyCallError.notAnswered(statusCode: 486, reason: "Busy Here")),
            (
                "480 Temporarily Unavailable",
                ThirdPartyCallError.notAnswered(statusCode: 480, reason: "Temporarily Unavailable")
            ),
            ("404 Not Found", ThirdPartyCallError.unknownExtension(statusCode: 404, reason: "Not Found")),
        ])
    func refusedInvite(status: String, expected: ThirdPartyCallError) async throws {
        let udp = try UDPTestPeer()
        let peer = ScriptedPeer(udp)
        let agent = try await makeAgent(udp)
        let outcome = Task { try await agent.placeThirdPartyCall(request()) }
        let invite = try await peer.next()
        try peer.reply(to: invite, invite.message.response(status, toTag: "phone"))
        await #expect(throws: expected) { _ = try await outcome.value }
        await agent.shutdown()
    }

    @Test("a phone that rings out is cancelled and reported as not answered", .timeLimit(.minutes(1)))
    func ringsOut() async throws {
        let udp = try UDPTestPeer()
        let peer = ScriptedPeer(udp)
        let agent = try await makeAgent(udp)
        let outcome = Task {
            try await agent.placeThirdPartyCall(request(answerTimeout: .seconds(2), responseTimeout: .seconds(1)))
        }
        let invite = try await peer.next()
        try peer.reply(to: invite, invite.message.response("180 Ringing", toTag: "phone"))
        await #expect(throws: ThirdPartyCallError.notAnswered(statusCode: nil, reason: nil)) {
            _ = try await outcome.value
        }
        let cancel = try await peer.next(after: invite)
        #expect(cancel.message.startLine == "CANCEL sip:1001@pbx.test SIP/2.0")
        #expect(cancel.message.value("Call-ID") == invite.message.value("Call-ID"))
        await agent.shutdown()
    }

    @Test("no response at all means the PBX is unreachable", .timeLimit(.minutes(1)))
    func unreachable() async throws {
        let udp = try UDPTestPeer()
        let agent = try await makeAgent(udp)
        await #expect(throws: ThirdPartyCallError.unreachable(errno: nil)) {
            _ = try await agent.placeThirdPartyCall(request(responseTimeout: .seconds(1)))
        }
        await agent.shutdown()
    }
}

/// A ``UDPTestPeer`` that remembers who sent what and skips retransmissions: on a busy machine libre
/// may resend a request (timer A, 500 ms) before the scripted answer arrives, and an exact copy of a
/// datagram already seen is never the next step of the script.
final class ScriptedPeer: Sendable {
    struct Received {
        var message: SIPTestMessage
        var sender: sockaddr_in
    }

    let udp: UDPTestPeer
    private let seen = Locked<Set<String>>([])
    var port: UInt16 { udp.port }

    init(_ udp: UDPTestPeer) {
        self.udp = udp
    }

    /// The next datagram that is not a copy of one received before, nor a retransmission of `previous`
    /// (same start line and CSeq).
    func next(after previous: Received? = nil) async throws -> Received {
        for _ in 0..<20 {
            let datagram = try await udp.receive()
            let isCopy = seen.withLock { !$0.insert(datagram.text).inserted }
            if isCopy { continue }
            let message = SIPTestMessage(datagram.text)
            if let previous, message.startLine == previous.message.startLine,
                message.value("CSeq") == previous.message.value("CSeq")
            {
                continue
            }
            return Received(message: message, sender: datagram.sender)
        }
        throw UDPTestPeer.SocketError(operation: "receive: only retransmissions arrived", code: 0)
    }

    /// Sends `text` back to whoever sent `request`.
    func reply(to request: Received, _ text: String) throws {
        try udp.send(text, to: request.sender)
    }
}
