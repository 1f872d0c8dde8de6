import Foundation
import RinglogCore
import RinglogSIP
import Synchronization
import Testing

/// The dialog-event source against a scripted notifier: NOTIFY bodies become records, and a
/// subscription the notifier ends is made again.
@Suite("Dialog-event source", .serialized)
struct DialogEventSourceTests {
    final class Delivered: Sendable {
        let records = Locked<[CallRecord]>([])
    }

    private func body(_ version: Int, _ state: String) -> String {
        """
        <?xml version="1.0"?>
        <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="\(version)" state="full" entity="sip:1001@127.0.0.1">
          <dialog id="d1" call-id="call-1@test" direction="recipient"><state>\(state)</state>
            <remote><identity>sip:2001@127.0.0.1</identity></remote>
            <local><identity>sip:1001@127.0.0.1</identity></local></dialog>
        </dialog-info>
        """
    }

    @Test("NOTIFYs become a call record; a terminated subscription is subscribed again", .timeLimit(.minutes(1)))
    func recordsAndResubscription() async throws {
        let udp = try UDPTestPeer()
        let peer = ScriptedPeer(udp)
        let agent = try await SIPUserAgent(
            configuration: SIPUserAgentConfiguration(
                account: SIPAccount(username: "agent", password: "pw", domain: "127.0.0.1"),
                outboundProxy: "sip:127.0.0.1:\(udp.port)"))
        let delivered = Delivered()
        let source = DialogEventSource(
            agent: agent, extensions: ["1001"], domain: "127.0.0.1", expiresSeconds: 300,
            tracker: DialogEventTracker(configuration: .init(extensionPattern: #"\d{4}"#, watchedExtensions: ["1001"])),
            resubscribeDelay: .milliseconds(500), tick: .milliseconds(100))
        let running = Task { try await source.run { record in delivered.records.withLock { $0.append(record) } } }

        let subscribe = try await peer.next()
        #expect(subscribe.message.startLine == "SUBSCRIBE sip:1001@127.0.0.1 SIP/2.0")
        #expect(subscribe.message.value("Route") == "<sip:127.0.0.1:\(udp.port);lr>")
        try peer.reply(
            to: subscribe,
            subscribe.message.response(
                "200 OK", toTag: "n1", extraHeaders: ["Contact: <sip:127.0.0.1:\(udp.port)>", "Expires: 300"]))
        var cseq = 1
        for (version, state) in [(1, "early"), (2, "confirmed"), (3, "terminated")] {
            let notify = subscribe.message.notify(
                notifierPort: udp.port, notifierTag: "n1", body: body(version, state),
                contentType: "application/dialog-info+xml"
            ).replacingOccurrences(of: "CSeq: 1 NOTIFY", with: "CSeq: \(cseq) NOTIFY")
                .replacingOccurrences(of: "n1notify", with: "n1notify\(cseq)")  // a new transaction each
            cseq += 1
            try peer.reply(to: subscribe, notify)
            var answer = try await peer.next()
            // A SUBSCRIBE sent again before our 200 arrived (busy machine) is not the answer.
            for _ in 0..<5 where answer.message.startLine.hasPrefix("SUBSCRIBE ") { answer = try await peer.next() }
            #expect(answer.message.startLine == "SIP/2.0 200 OK")
        }
        var records: [CallRecord] = []
        for _ in 0..<100 where records.isEmpty {
            records = delivered.records.withLock { $0 }
            if records.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        let record = try #require(records.first)
        #expect(record.callID == "call-1@test")
        #expect(record.direction == .internal)
        #expect(record.from == "2001")
        #expect(record.to == "1001")
        #expect(record.outcome == .answered)

        // The notifier ends the subscription; the source subscribes again after its delay.
        let ending = subscribe.message.notify(
            notifierPort: udp.port, notifierTag: "n1", body: "", contentType: "application/dialog-info+xml"
        ).replacingOccurrences(of: "CSeq: 1 NOTIFY", with: "CSeq: \(cseq) NOTIFY")
            .replacingOccurrences(
                of: "Subscription-State: active;expires=300", with: "Subscription-State: terminated;reason=noresource")
        try peer.reply(to: subscribe, ending)
        var again: ScriptedPeer.Received?
        for _ in 0..<10 {
            let next = try await peer.next()
            if next.message.startLine.hasPrefix("SUBSCRIBE "),
                next.message.value("Call-ID") != subscribe.message.value("Call-ID")
            {
                again = next
                break
            }
        }
        let resubscribe = try #require(again)
        #expect(resubscribe.message.startLine == "SUBSCRIBE sip:1001@127.0.0.1 SIP/2.0")
        #expect(resubscribe.message.value("Event") == "dialog")

        running.cancel()
        _ = await running.result
        await agent.shutdown()
    }
}
