import RinglogCore
import Testing

/// `ringlog run`'s tracker: a call whose end is final comes out with the message that settled it; one that
/// may still change waits its whole grace.
@Suite("Settled calls close at once")
struct SettledClosingTests {
    private func liveFeed() throws -> TrackerFeed {
        TrackerFeed(site: try Net.site()) { $0.settledClosingGraceSeconds = 0 }
    }

    private let inbound = Dialog(callID: "in-1", fromUser: "+358401234567", toUser: "1001")

    private func ring(_ feed: inout TrackerFeed) {
        feed.send(inbound.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(inbound.invite(requestUser: "1001-0xabc"), at: 0.001, Net.pbx, Net.phone1001)
        feed.proxy(inbound.response(180), at: 0.01, Net.phone1001, Net.trunk)
    }

    @Test("an answered call comes out with its BYE; the BYE's 200 and a retransmission start nothing")
    func answeredAtBye() throws {
        var feed = try liveFeed()
        ring(&feed)
        feed.proxy(inbound.response(200), at: 1, Net.phone1001, Net.trunk)
        feed.proxy(inbound.inDialog("ACK", cseq: 1), at: 1.01, Net.trunk, Net.phone1001)
        feed.proxy(inbound.inDialog("BYE", cseq: 2), at: 5, Net.trunk, Net.phone1001)
        try #require(feed.records.count == 1)
        #expect(feed.records[0].outcome == .answered)
        #expect(feed.records[0].complete)
        #expect(abs(feed.records[0].talkSeconds - 4) < 0.01)
        feed.proxy(inbound.response(200, cseq: 2, method: "BYE"), at: 5.01, Net.phone1001, Net.trunk)
        feed.proxy(inbound.inDialog("BYE", cseq: 2), at: 5.5, Net.trunk, Net.phone1001)
        feed.proxy(inbound.response(200), at: 5.6, Net.phone1001, Net.trunk)
        #expect(feed.tracker.openDialogCount == 0)
        feed.advance(to: 30)
        #expect(feed.finish().count == 1)
    }

    @Test("a cancelled call waits for the final answer: a 487 settles it as missed")
    func cancelThen487() throws {
        var feed = try liveFeed()
        ring(&feed)
        feed.proxy(inbound.cancel(), at: 3, Net.trunk, Net.phone1001)
        #expect(feed.records.isEmpty)
        feed.proxy(inbound.response(487), at: 3.01, Net.phone1001, Net.trunk)
        #expect(feed.records.map(\.outcome) == [.missed])
        feed.proxy(inbound.inDialog("ACK", cseq: 1), at: 3.02, Net.trunk, Net.phone1001)
        #expect(feed.finish().count == 1)
    }

    @Test("a 200 OK that crossed the CANCEL makes the call answered, not missed")
    func answerCrossesCancel() throws {
        var feed = try liveFeed()
        ring(&feed)
        feed.proxy(inbound.cancel(), at: 3, Net.trunk, Net.phone1001)
        feed.proxy(inbound.response(200), at: 3.001, Net.phone1001, Net.trunk)
        feed.proxy(inbound.inDialog("ACK", cseq: 1), at: 3.01, Net.trunk, Net.phone1001)
        #expect(feed.records.isEmpty)
        feed.proxy(inbound.inDialog("BYE", cseq: 2), at: 3.02, Net.trunk, Net.phone1001)
        #expect(feed.finish().map(\.outcome) == [.answered])
    }

    @Test("a 407 challenge is not an end: the re-sent INVITE joins the same call")
    func challengeWaits() throws {
        var feed = try liveFeed()
        let call = Dialog(callID: "out-1", fromUser: "1001", toUser: "0401234567")
        feed.send(call.invite(cseq: 1), at: 0, Net.phone1001, Net.pbx)
        feed.send(call.response(407, toTag: "auth", cseq: 1), at: 0.001, Net.pbx, Net.phone1001)
        feed.send(call.inDialog("ACK", cseq: 1, toTag: "auth"), at: 0.002, Net.phone1001, Net.pbx)
        #expect(feed.records.isEmpty)
        feed.send(call.invite(cseq: 2), at: 0.05, Net.phone1001, Net.pbx)
        feed.send(call.invite(cseq: 2), at: 0.051, Net.pbx, Net.trunk)
        feed.proxy(call.response(200, cseq: 2), at: 1.5, Net.trunk, Net.phone1001)
        feed.proxy(call.inDialog("BYE"), at: 4.5, Net.phone1001, Net.trunk)
        #expect(feed.records.map(\.outcome) == [.answered])
        #expect(feed.finish().count == 1)
    }

    @Test("a call whose REFER has not found its new dialog waits the whole grace")
    func pendingReferWaits() throws {
        var feed = try liveFeed()
        let call = Dialog(callID: "in-2", fromUser: "+358401234567", toUser: "1001")
        feed.send(call.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(call.invite(), at: 0.001, Net.pbx, Net.phone1001)
        feed.proxy(call.response(200), at: 1, Net.phone1001, Net.trunk)
        feed.proxy(
            call.inDialog("REFER", cseq: 7, fromCallee: true, referTo: "sip:1002@pbx"), at: 3, Net.phone1001,
            Net.trunk)
        feed.proxy(call.inDialog("BYE", cseq: 8, fromCallee: true), at: 3.1, Net.phone1001, Net.trunk)
        #expect(feed.records.isEmpty)
        feed.advance(to: 3.1 + 3.9)
        #expect(feed.records.isEmpty)
        feed.advance(to: 3.1 + 4.1)
        #expect(feed.records.count == 1)
    }

    @Test("an unanswered call to a back-to-back PBX, before the PBX's own legs, waits the whole grace")
    func lonelyBackToBackLegWaits() throws {
        var feed = try liveFeed()
        let call = Dialog(callID: "trunk-1", fromUser: "+358401234567", toUser: "0201234567")
        feed.send(call.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(call.cancel(), at: 0.05, Net.trunk, Net.pbx)
        feed.send(call.response(487), at: 0.051, Net.pbx, Net.trunk)
        #expect(feed.records.isEmpty)
        // The PBX's leg to the phone, started just before the caller gave up, joins the same call.
        let leg = Dialog(callID: "pbx-1", fromUser: "+358401234567", fromTag: "p1", toUser: "1001")
        feed.send(leg.invite(), at: 0.052, Net.pbx, Net.phone1001)
        feed.send(leg.cancel(), at: 0.06, Net.pbx, Net.phone1001)
        feed.send(leg.response(487), at: 0.061, Net.phone1001, Net.pbx)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].callIDs.count == 2)
    }

    @Test("without the short grace (ringlog replay) a finished call waits the whole grace")
    func replayKeepsGrace() throws {
        var feed = TrackerFeed(site: try Net.site())
        let call = inbound
        feed.send(call.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(call.invite(requestUser: "1001-0xabc"), at: 0.001, Net.pbx, Net.phone1001)
        feed.proxy(call.response(200), at: 1, Net.phone1001, Net.trunk)
        feed.proxy(call.inDialog("BYE", cseq: 2), at: 5, Net.trunk, Net.phone1001)
        #expect(feed.records.isEmpty)
        feed.advance(to: 9.1)
        #expect(feed.records.count == 1)
    }
}
