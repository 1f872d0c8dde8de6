import RinglogCore
import Testing

/// A caller (or anyone who can reach the HEP port) starting calls that never end: the tracker's state must stay
/// bounded by its open-dialog cap, evicting the oldest calls as incomplete records.
@Suite struct HostileCallFloodTests {
    /// 20,000 INVITEs and a cap of 200: a hundred times the cap goes through eviction. The million-INVITE
    /// flood, with memory figures, is `ringlog-bench flood` (docs/reliability.md); a debug build under the
    /// sanitizers takes too long for it here.
    @Test func neverEndingInvitesKeepTheOpenDialogsUnderTheCap() {
        let cap = 200
        var tracker = CallTracker(configuration: CallTrackerConfiguration(maximumOpenDialogs: cap))
        let source = TransportEndpoint(address: "198.51.100.7", port: 5060)
        let destination = TransportEndpoint(address: "127.0.0.1", port: 5060)
        let invites = 20_000
        var evicted = 0
        var incomplete = 0
        var mostOpen = 0
        for index in 0..<invites {
            let message = SIPMessage(
                startLine: .request(method: "INVITE", uri: "sip:100@pbx"), callID: "flood-\(index)", cseqNumber: 1,
                cseqMethod: "INVITE", from: NameAddress(uri: "sip:+358401234567@evil", tag: "f\(index)"),
                to: NameAddress(uri: "sip:100@pbx"))
            // 10 µs apart: only the cap, not the unanswered-call timeout, can bound the state.
            let packet = CapturedPacket(
                timestamp: CaptureTime(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(index) * 10),
                source: source, destination: destination, transport: .udp, payload: [])
            let records = tracker.process(message, packet: packet)
            evicted += records.count
            incomplete += records.count { !$0.complete }
            mostOpen = max(mostOpen, tracker.openDialogCount)
        }
        #expect(mostOpen <= cap)
        #expect(evicted == incomplete)
        #expect(evicted + tracker.openDialogCount == invites)
        let rest = tracker.finish()
        #expect(evicted + rest.count == invites)
        #expect(tracker.openDialogCount == 0)
    }
}
