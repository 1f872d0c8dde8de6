import Foundation
import RinglogSIP
import Testing

@Suite("SIP user agent (libre on its own thread)", .serialized)
struct SIPUserAgentTests {
    private let account = SIPAccount(username: "1001", password: "s3cret", domain: "127.0.0.1", displayName: "Anna")

    @Test(
        "SUBSCRIBE answers a digest challenge and the NOTIFY that follows is delivered and answered",
        .timeLimit(.minutes(1)))
    func subscribeWithDigestAuthentication() async throws {
        let notifier = try UDPTestPeer()
        let agent = try await SIPUserAgent(configuration: SIPUserAgentConfiguration(account: account))
        let target = "sip:2000@127.0.0.1:\(notifier.port)"
        let subscription = try await agent.subscribe(to: target, expires: 300)

        // 1. The first SUBSCRIBE, challenged.
        let first = try await notifier.receive()
        let firstRequest = SIPTestMessage(first.text)
        #expect(firstRequest.startLine == "SUBSCRIBE \(target) SIP/2.0")
        #expect(firstRequest.value("Event") == "dialog")
        #expect(firstRequest.value("Accept") == "application/dialog-info+xml")
        #expect(firstRequest.value("Expires") == "300")
        #expect(firstRequest.value("From")?.contains("<sip:1001@127.0.0.1>") == true)
        #expect(firstRequest.value("Authorization") == nil)
        try notifier.send(
            firstRequest.response(
                "401 Unauthorized", toTag: "challenge",
                extraHeaders: [#"WWW-Authenticate: Digest realm="ringlog-test", nonce="n0nce42", algorithm=MD5"#]),
            to: first.sender)

        // 2. The SUBSCRIBE again, with a correct digest response. On a busy machine libre may retransmit
        //    the first SUBSCRIBE (UDP timer A) before our 401 reached it: skip such copies.
        var second = try await notifier.receive()
        var retransmissions = 0
        while SIPTestMessage(second.text).value("CSeq") == firstRequest.value("CSeq"), retransmissions < 10 {
            retransmissions += 1
            second = try await notifier.receive()
        }
        let secondRequest = SIPTestMessage(second.text)
        #expect(secondRequest.value("Call-ID") == firstRequest.value("Call-ID"))
        #expect(secondRequest.value("CSeq") != firstRequest.value("CSeq"))
        let authorization = SIPTestMessage.digestParameters(try #require(secondRequest.value("Authorization")))
        #expect(authorization["username"] == "1001")
        #expect(authorization["realm"] == "ringlog-test")
        #expect(authorization["nonce"] == "n0nce42")
        #expect(authorization["uri"] == target)
        let expectedResponse = SIPTestMessage.md5Hex(
            SIPTestMessage.md5Hex("1001:ringlog-test:s3cret") + ":n0nce42:"
                + SIPTestMessage.md5Hex("SUBSCRIBE:\(target)"))
        #expect(authorization["response"] == expectedResponse)
        let notifierContact = "<sip:2000@127.0.0.1:\(notifier.port)>"
        try notifier.send(
            secondRequest.response(
                "200 OK", toTag: "notifier1", extraHeaders: ["Contact: \(notifierContact)", "Expires: 300"]),
            to: second.sender)

        // 3. A NOTIFY in the new dialog; the agent answers 200 OK and reports it.
        let body =
            #"<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" "#
            + #"state="full" entity="sip:2000@127.0.0.1"/>"# + "\n"
        let notify = secondRequest.notify(
            notifierPort: notifier.port, notifierTag: "notifier1", body: body,
            contentType: "application/dialog-info+xml")
        try notifier.send(notify, to: second.sender)

        let answer = SIPTestMessage(try await notifier.receive().text)
        #expect(answer.startLine == "SIP/2.0 200 OK")
        #expect(answer.value("CSeq") == "1 NOTIFY")

        var received: SIPNotification?
        for await event in agent.events {
            if case .notification(let notification) = event {
                received = notification
                break
            }
        }
        let notification = try #require(received)
        #expect(notification.subscription == subscription)
        #expect(notification.event == "dialog")
        #expect(notification.subscriptionState == "active;expires=300")
        #expect(notification.contentType == "application/dialog-info+xml")
        #expect(String(decoding: notification.body, as: UTF8.self) == body)

        await agent.shutdown()
    }

    @Test("unsubscribe sends SUBSCRIBE with Expires: 0 in the same dialog", .timeLimit(.minutes(1)))
    func unsubscribeEndsTheSubscription() async throws {
        let notifier = try UDPTestPeer()
        let agent = try await SIPUserAgent(configuration: SIPUserAgentConfiguration(account: account))
        let target = "sip:2001@127.0.0.1:\(notifier.port)"
        let subscription = try await agent.subscribe(to: target)

        let first = try await notifier.receive()
        let request = SIPTestMessage(first.text)
        try notifier.send(
            request.response(
                "200 OK", toTag: "n2", extraHeaders: ["Contact: <sip:2001@127.0.0.1:\(notifier.port)>", "Expires: 600"]),
            to: first.sender)
        // A NOTIFY answered means libre has read the 200 OK sent before it: the dialog is established.
        try notifier.send(
            request.notify(notifierPort: notifier.port, notifierTag: "n2", body: "", contentType: "text/plain"),
            to: first.sender)
        #expect(SIPTestMessage(try await notifier.receive().text).startLine == "SIP/2.0 200 OK")
        #expect(await agent.unsubscribe(SIPSubscriptionID(rawValue: 999)) == false)
        #expect(await agent.unsubscribe(subscription))

        let ending = SIPTestMessage(try await notifier.receive().text)
        // Sent to the remote target the NOTIFY's Contact set (a target refresh), in the same dialog.
        #expect(ending.startLine == "SUBSCRIBE sip:notifier@127.0.0.1:\(notifier.port) SIP/2.0")
        #expect(ending.value("Expires") == "0")
        #expect(ending.value("Call-ID") == request.value("Call-ID"))
        #expect(ending.value("To")?.contains("tag=n2") == true)
        #expect(await agent.unsubscribe(subscription) == false)
        await agent.shutdown()
    }

    @Test("after shutdown the agent refuses work and its event stream ends", .timeLimit(.minutes(1)))
    func shutdownStopsTheAgent() async throws {
        let agent = try await SIPUserAgent(configuration: SIPUserAgentConfiguration(account: account))
        await agent.shutdown()
        await #expect(throws: SIPUserAgentError.stopped) {
            try await agent.subscribe(to: "sip:2000@127.0.0.1:9")
        }
        var eventCount = 0
        for await _ in agent.events { eventCount += 1 }
        #expect(eventCount == 0)
    }

    @Test("a local address that is not an IP address is refused")
    func invalidLocalAddress() async {
        await #expect(throws: SIPUserAgentError.invalidLocalAddress("pbx.invalid")) {
            _ = try await SIPUserAgent(
                configuration: SIPUserAgentConfiguration(account: account, localAddress: "pbx.invalid"))
        }
    }
}
