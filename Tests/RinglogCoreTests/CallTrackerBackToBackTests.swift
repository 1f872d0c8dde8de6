import RinglogCore
import Testing

/// A back-to-back PBX (Asterisk, FreeSWITCH): every leg has its own Call-ID and the PBX sends and answers.
@Suite("Call tracker: back-to-back PBX legs and eviction")
struct CallTrackerBackToBackTests {
    /// Inbound: trunk leg T, ring group legs to 1001 and 1002; 1002 answers, 1001 is cancelled.
    private func ringGroupCall(correlation: Bool, site: SiteDescription?) -> [CallRecord] {
        var feed = TrackerFeed(site: site)
        let corr: String? = correlation ? "trunk-leg-1" : nil
        let trunk = Dialog(callID: "trunk-leg-1", fromUser: "+358401234567", toUser: "+35891234567")
        let leg1 = Dialog(callID: "ext-leg-1", fromUser: "+358401234567", fromTag: "p1", toUser: "1001")
        let leg2 = Dialog(callID: "ext-leg-2", fromUser: "+358401234567", fromTag: "p2", toUser: "1002")
        feed.send(trunk.invite(), at: 0, Net.trunk, Net.pbx, correlation: corr)
        feed.send(trunk.response(100, toTag: nil), at: 0.01, Net.pbx, Net.trunk, correlation: corr)
        feed.send(leg1.invite(), at: 0.2, Net.pbx, Net.phone1001, correlation: corr)
        feed.send(leg2.invite(), at: 0.2, Net.pbx, Net.phone1002, correlation: corr)
        feed.send(leg1.response(180), at: 0.3, Net.phone1001, Net.pbx, correlation: corr)
        feed.send(leg2.response(180), at: 0.3, Net.phone1002, Net.pbx, correlation: corr)
        feed.send(trunk.response(180), at: 0.31, Net.pbx, Net.trunk, correlation: corr)
        feed.send(leg2.response(200, contactUser: "1002"), at: 5, Net.phone1002, Net.pbx, correlation: corr)
        feed.send(trunk.response(200, contactUser: "s"), at: 5.01, Net.pbx, Net.trunk, correlation: corr)
        let elsewhere = #"SIP;cause=200;text="Call completed elsewhere""#
        feed.send(leg1.cancel(reasons: [elsewhere]), at: 5.02, Net.pbx, Net.phone1001, correlation: corr)
        feed.send(leg1.response(487), at: 5.03, Net.phone1001, Net.pbx, correlation: corr)
        feed.send(trunk.inDialog("BYE"), at: 65, Net.trunk, Net.pbx, correlation: corr)
        feed.send(leg2.inDialog("BYE"), at: 65.01, Net.pbx, Net.phone1002, correlation: corr)
        return feed.finish()
    }

    @Test("legs joined by the HEP correlation id give one record", arguments: [true, false])
    func joinedLegs(correlation: Bool) throws {
        let records = ringGroupCall(correlation: correlation, site: try Net.site())
        try #require(records.count == 1)
        let record = records[0]
        #expect(record.direction == .inbound)
        #expect(record.callID == "trunk-leg-1")
        #expect(Set(record.callIDs) == ["trunk-leg-1", "ext-leg-1", "ext-leg-2"])
        #expect(record.from == "+358401234567")
        #expect(record.to == "+35891234567")
        #expect(record.extensionNumber == "1002")
        #expect(record.outcome == .answered)
        #expect(record.answeredAt == TrackerFeed.time(5))
        #expect(abs(record.talkSeconds - 60) < 0.05)
    }

    @Test("without a site description each leg is its own record")
    func separateWithoutSite() {
        let records = ringGroupCall(correlation: true, site: nil)
        #expect(records.count == 3)
        #expect(Set(records.map(\.outcome)) == [.answered, .answeredElsewhere])
        #expect(records.allSatisfy { $0.direction == .unknown })
    }

    @Test("legs of different callers are not joined by time alone")
    func differentCallers() throws {
        var feed = TrackerFeed(site: try Net.site())
        let trunk = Dialog(callID: "t-a", fromUser: "+358401111111", toUser: "+35891234567")
        let other = Dialog(callID: "e-b", fromUser: "+358402222222", toUser: "1001")
        feed.send(trunk.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(other.invite(), at: 0.1, Net.pbx, Net.phone1001)
        feed.send(trunk.cancel(), at: 3, Net.trunk, Net.pbx)
        feed.send(other.cancel(), at: 3, Net.pbx, Net.phone1001)
        #expect(feed.finish().count == 2)
    }

    @Test("the PBX answers the trunk leg (IVR, voicemail) but no extension does: missed")
    func answeredByPBXOnly() throws {
        var feed = TrackerFeed(site: try Net.site())
        let trunk = Dialog(callID: "ivr-t", fromUser: "+358401234567", toUser: "+35891234567")
        let leg = Dialog(callID: "ivr-e", fromUser: "+358401234567", fromTag: "p", toUser: "1001")
        feed.send(trunk.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(trunk.response(200), at: 0.1, Net.pbx, Net.trunk)
        feed.send(leg.invite(), at: 5, Net.pbx, Net.phone1001)
        feed.send(leg.response(180), at: 5.1, Net.phone1001, Net.pbx)
        feed.send(trunk.inDialog("BYE"), at: 20, Net.trunk, Net.pbx)
        feed.send(leg.cancel(), at: 20.01, Net.pbx, Net.phone1001)
        feed.send(leg.response(487), at: 20.02, Net.phone1001, Net.pbx)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].outcome == .missed)
        #expect(records[0].extensionNumber == "1001")
        #expect(records[0].answeredAt == nil)
    }

    @Test("outbound through a back-to-back PBX: the phone leg and the trunk leg join by the dialled number")
    func outboundLegs() throws {
        var feed = TrackerFeed(site: try Net.site())
        let phone = Dialog(callID: "o-phone", fromUser: "1003", toUser: "0401234567")
        let trunk = Dialog(callID: "o-trunk", fromUser: "+35891234567", fromTag: "pbx", toUser: "+358401234567")
        feed.send(phone.invite(), at: 0, Net.phone1003, Net.pbx)
        feed.send(trunk.invite(), at: 0.05, Net.pbx, Net.trunk)
        feed.send(trunk.response(183), at: 0.5, Net.trunk, Net.pbx)
        feed.send(phone.response(183), at: 0.51, Net.pbx, Net.phone1003)
        feed.send(trunk.response(200), at: 4, Net.trunk, Net.pbx)
        feed.send(phone.response(200), at: 4.01, Net.pbx, Net.phone1003)
        feed.send(phone.inDialog("BYE"), at: 10, Net.phone1003, Net.pbx)
        feed.send(trunk.inDialog("BYE"), at: 10.01, Net.pbx, Net.trunk)
        let records = feed.finish()
        try #require(records.count == 1)
        let record = records[0]
        #expect(record.direction == .outbound)
        #expect(record.callID == "o-phone")
        #expect(record.from == "1003")
        #expect(record.to == "+358401234567")
        #expect(record.extensionNumber == "1003")
        #expect(record.answeredAt == TrackerFeed.time(4))
        #expect(abs(record.talkSeconds - 6) < 0.05)
    }

    @Test("an inbound call the PBX forwards to a mobile (Diversion) is one inbound call of the forwarding extension")
    func forwardedOut() throws {
        var feed = TrackerFeed(site: try Net.site())
        let trunk = Dialog(callID: "fw-1", fromUser: "+358401111111", toUser: "1001")
        let forwarded = SIPMessage(
            startLine: .request(method: "INVITE", uri: "sip:0409999999@carrier"), callID: "fw-2", cseqNumber: 1,
            cseqMethod: "INVITE", from: NameAddress(uri: "sip:+358401111111@pbx", tag: "pbx"),
            to: NameAddress(uri: "sip:0409999999@carrier"), diversions: [NameAddress(uri: "sip:1001@pbx")])
        feed.send(trunk.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(forwarded, at: 0.1, Net.pbx, Net.trunk)
        let answer = SIPMessage(
            startLine: .response(status: 200, reason: "OK"), callID: "fw-2", cseqNumber: 1, cseqMethod: "INVITE",
            from: NameAddress(uri: "sip:+358401111111@pbx", tag: "pbx"),
            to: NameAddress(uri: "sip:0409999999@carrier", tag: "m"))
        feed.send(answer, at: 3, Net.trunk, Net.pbx)
        feed.send(trunk.response(200), at: 3.01, Net.pbx, Net.trunk)
        feed.send(trunk.inDialog("BYE"), at: 8, Net.trunk, Net.pbx)
        let bye = SIPMessage(
            startLine: .request(method: "BYE", uri: "sip:x"), callID: "fw-2", cseqNumber: 2, cseqMethod: "BYE",
            from: NameAddress(uri: "sip:+358401111111@pbx", tag: "pbx"),
            to: NameAddress(uri: "sip:0409999999@carrier", tag: "m"))
        feed.send(bye, at: 8.01, Net.pbx, Net.trunk)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].direction == .inbound)
        #expect(records[0].callIDs == ["fw-1", "fw-2"])
        #expect(records[0].to == "1001")
        #expect(records[0].extensionNumber == "1001")
        #expect(records[0].outcome == .answered)
    }

    @Test("an internal call between two phones through the back-to-back PBX")
    func internalLegs() throws {
        var feed = TrackerFeed(site: try Net.site())
        let caller = Dialog(callID: "i-a", fromUser: "1001", toUser: "1002")
        let callee = Dialog(callID: "i-b", fromUser: "1001", fromTag: "pbx", toUser: "1002")
        feed.send(caller.invite(), at: 0, Net.phone1001, Net.pbx)
        feed.send(callee.invite(), at: 0.02, Net.pbx, Net.phone1002)
        feed.send(callee.response(486), at: 1, Net.phone1002, Net.pbx)
        feed.send(caller.response(486), at: 1.01, Net.pbx, Net.phone1001)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].direction == .internal)
        #expect(records[0].outcome == .busy)
        #expect(records[0].from == "1001")
        #expect(records[0].to == "1002")
    }

    @Test("a call that never ends is evicted as incomplete after the configured age")
    func evictAnsweredWithoutBye() throws {
        var feed = TrackerFeed(site: try Net.site()) { $0.maximumCallAgeSeconds = 3600 }
        let call = Dialog(callID: "lost-bye", fromUser: "+358401234567", toUser: "1001")
        feed.proxy(call.invite(), at: 0, Net.trunk, Net.phone1001)
        feed.proxy(call.response(200, contactUser: "1001"), at: 2, Net.phone1001, Net.trunk)
        feed.advance(to: 3000)
        #expect(feed.records.isEmpty)
        feed.advance(to: 3602)
        try #require(feed.records.count == 1)
        #expect(feed.records[0].complete == false)
        #expect(feed.records[0].endedAt == nil)
        #expect(feed.records[0].outcome == .answered)
        #expect(feed.tracker.openDialogCount == 0)
    }

    @Test("an INVITE with no final response is evicted after the unanswered timeout")
    func evictUnanswered() {
        var feed = TrackerFeed(site: nil) { $0.unansweredTimeoutSeconds = 60 }
        let call = Dialog(callID: "lost-final", fromUser: "a", toUser: "b")
        feed.send(call.invite(), at: 0, Net.phone1001, Net.pbx)
        feed.send(call.response(180), at: 1, Net.pbx, Net.phone1001)
        feed.advance(to: 50)
        #expect(feed.records.isEmpty)
        feed.advance(to: 62)
        #expect(feed.records.map(\.complete) == [false])
        #expect(feed.records.map(\.outcome) == [.missed])
    }

    @Test("each stale call is evicted at its own deadline, whichever call started first")
    func evictAtEachDeadline() throws {
        var feed = TrackerFeed(site: try Net.site()) {
            $0.maximumCallAgeSeconds = 1000
            $0.unansweredTimeoutSeconds = 60
        }
        // Answered at once: stale when 1,000 s old. The sweeps until then find nothing due before that.
        let answered = Dialog(callID: "answered-lost-bye", fromUser: "+358401234567", toUser: "1001")
        feed.proxy(answered.invite(), at: 0, Net.trunk, Net.phone1001)
        feed.proxy(answered.response(200, contactUser: "1001"), at: 0.5, Net.phone1001, Net.trunk)
        feed.advance(to: 61)
        // Rings without an answer from 62 s on: stale 60 s after its last message, long before the answered one.
        let ringing = Dialog(callID: "ringing-lost-final", fromUser: "+358401234568", toUser: "1002")
        feed.proxy(ringing.invite(), at: 62, Net.trunk, Net.phone1002)
        feed.proxy(ringing.response(180), at: 63, Net.phone1002, Net.trunk)
        feed.advance(to: 122)
        #expect(feed.records.isEmpty)
        feed.advance(to: 124.5)
        #expect(feed.records.map(\.callID) == ["ringing-lost-final"])
        feed.advance(to: 999)
        #expect(feed.records.count == 1)
        feed.advance(to: 1001.5)
        #expect(feed.records.map(\.callID) == ["ringing-lost-final", "answered-lost-bye"])
        #expect(feed.records.allSatisfy { !$0.complete })
        #expect(feed.tracker.openDialogCount == 0)
    }

    @Test("the number of open dialogs stays under the cap; the oldest come out incomplete")
    func openDialogCap() {
        var feed = TrackerFeed(site: nil) { $0.maximumOpenDialogs = 10 }
        for index in 0..<25 {
            let call = Dialog(callID: "flood-\(index)", fromUser: "a", toUser: "b")
            feed.send(call.invite(), at: Double(index) * 0.01, Net.phone1001, Net.pbx)
            #expect(feed.tracker.openDialogCount <= 10)
        }
        #expect(feed.records.count >= 15)
        #expect(feed.records.allSatisfy { !$0.complete })
        #expect(feed.records.first?.callID == "flood-0")
        #expect(feed.finish().count == 25)
    }

    @Test("responses and BYEs of calls begun before the capture give no record")
    func fragments() {
        var feed = TrackerFeed(site: nil)
        let call = Dialog(callID: "old", fromUser: "a", toUser: "b")
        feed.send(call.response(200), at: 0, Net.pbx, Net.phone1001)
        feed.send(call.inDialog("BYE"), at: 1, Net.phone1001, Net.pbx)
        #expect(feed.finish().isEmpty)
    }

    @Test("a finished call comes out after the grace period, in the order calls ended")
    func emissionOrder() {
        var feed = TrackerFeed(site: nil) { $0.closingGraceSeconds = 2 }
        let first = Dialog(callID: "first", fromUser: "a", toUser: "b")
        let second = Dialog(callID: "second", fromUser: "c", toUser: "d")
        feed.send(first.invite(), at: 0, Net.phone1001, Net.pbx)
        feed.send(second.invite(), at: 0.5, Net.phone1002, Net.pbx)
        feed.send(second.response(486), at: 1, Net.pbx, Net.phone1002)
        feed.send(first.response(603), at: 1.5, Net.pbx, Net.phone1001)
        feed.advance(to: 2.9)
        #expect(feed.records.isEmpty)
        feed.advance(to: 3.6)
        #expect(feed.records.map(\.callID) == ["second", "first"])
        #expect(feed.records.map(\.outcome) == [.busy, .declined])
    }
}
