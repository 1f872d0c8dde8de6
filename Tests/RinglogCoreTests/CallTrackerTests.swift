import RinglogCore
import Testing

@Suite("Call tracker")
struct CallTrackerTests {
    /// An inbound call through the proxy from the trunk to phone 1001, with a chosen final response.
    private func inboundWithFinal(_ status: Int, site: SiteDescription?) -> [CallRecord] {
        var feed = TrackerFeed(site: site)
        let call = Dialog(callID: "in-1", fromUser: "+358401234567", toUser: "1001")
        feed.send(call.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(call.invite(requestUser: "1001-0xabc"), at: 0.001, Net.pbx, Net.phone1001)
        feed.proxy(call.response(180), at: 0.01, Net.phone1001, Net.trunk)
        feed.proxy(call.response(status), at: 2, Net.phone1001, Net.trunk)
        feed.proxy(call.inDialog("ACK", cseq: 1), at: 2.01, Net.trunk, Net.phone1001)
        return feed.finish()
    }

    @Test(
        "final responses map to outcomes",
        arguments: [
            (486, CallOutcome.busy), (600, .busy), (603, .declined), (480, .missed), (408, .missed), (404, .failed),
            (488, .failed), (500, .failed), (503, .failed), (302, .failed),
        ])
    func finalResponses(status: Int, outcome: CallOutcome) throws {
        let records = inboundWithFinal(status, site: try Net.site())
        try #require(records.count == 1)
        #expect(records[0].outcome == outcome)
        #expect(records[0].direction == .inbound)
        #expect(records[0].extensionNumber == "1001")
        #expect(records[0].complete)
        #expect(records[0].talkSeconds == 0)
        #expect(abs(records[0].ringSeconds - 2) < 0.01)
    }

    @Test("a 403 after ringing is the callee's answer: declined")
    func forbiddenByCallee() throws {
        #expect(inboundWithFinal(403, site: try Net.site()).map(\.outcome) == [.declined])
    }

    @Test("407 challenge, re-sent INVITE, answer: one call started at the first INVITE")
    func challengeAndResend() throws {
        var feed = TrackerFeed(site: try Net.site())
        let call = Dialog(callID: "out-1", fromUser: "1001", toUser: "0401234567")
        feed.send(call.invite(cseq: 1), at: 0, Net.phone1001, Net.pbx)
        feed.send(call.response(407, toTag: "auth", cseq: 1), at: 0.001, Net.pbx, Net.phone1001)
        feed.send(call.inDialog("ACK", cseq: 1, toTag: "auth"), at: 0.002, Net.phone1001, Net.pbx)
        feed.send(call.inDialog("ACK", cseq: 1, toTag: "auth"), at: 0.002, Net.phone1001, Net.pbx)
        feed.send(call.invite(cseq: 2), at: 0.01, Net.phone1001, Net.pbx)
        feed.send(call.invite(cseq: 2), at: 0.011, Net.pbx, Net.trunk)
        feed.proxy(call.response(180, cseq: 2), at: 0.5, Net.trunk, Net.phone1001)
        feed.proxy(call.response(200, cseq: 2), at: 1.5, Net.trunk, Net.phone1001)
        feed.proxy(call.inDialog("BYE"), at: 11.5, Net.phone1001, Net.trunk)
        let records = feed.finish()
        try #require(records.count == 1)
        let record = records[0]
        #expect(record.outcome == .answered)
        #expect(record.direction == .outbound)
        #expect(record.from == "1001")
        #expect(record.to == "+358401234567")
        #expect(record.extensionNumber == "1001")
        #expect(record.startedAt == TrackerFeed.time(0))
        #expect(record.ringSeconds == 1.5)
        #expect(record.talkSeconds == 10)
    }

    @Test("407 then 403 from the PBX is the caller's failed authentication: failed")
    func failedAuthentication() throws {
        var feed = TrackerFeed(site: try Net.site())
        let call = Dialog(callID: "auth-1", fromUser: "1001", toUser: "1002")
        feed.send(call.invite(cseq: 1), at: 0, Net.phone1001, Net.pbx)
        feed.send(call.response(407, toTag: "a", cseq: 1), at: 0.001, Net.pbx, Net.phone1001)
        feed.send(call.invite(cseq: 2), at: 0.01, Net.phone1001, Net.pbx)
        feed.send(call.response(403, toTag: "a", cseq: 2), at: 0.011, Net.pbx, Net.phone1001)
        let records = feed.finish()
        #expect(records.map(\.outcome) == [.failed])
        #expect(records.first?.complete == true)
    }

    @Test("a challenge that is never answered with a new INVITE ends as failed")
    func challengeNotResent() throws {
        var feed = TrackerFeed(site: nil)
        let call = Dialog(callID: "auth-2", fromUser: "1001", toUser: "1002")
        feed.send(call.invite(cseq: 1), at: 0, Net.phone1001, Net.pbx)
        feed.send(call.response(401, toTag: "a", cseq: 1), at: 0.001, Net.pbx, Net.phone1001)
        feed.advance(to: 10)
        #expect(feed.records.map(\.outcome) == [.failed])
    }

    @Test("mirrored, triple-sent and retransmitted copies count once")
    func duplicates() throws {
        func run(copies: Int) throws -> [CallRecord] {
            var feed = TrackerFeed(site: try Net.site())
            let call = Dialog(callID: "dup-1", fromUser: "+358401234567", toUser: "1001")
            for _ in 0..<copies {
                feed.proxy(call.invite(), at: 0, Net.trunk, Net.phone1001)
                feed.proxy(call.response(180), at: 0.2, Net.phone1001, Net.trunk)
            }
            for _ in 0..<copies { feed.proxy(call.response(200), at: 1.2, Net.phone1001, Net.trunk) }
            for index in 0..<copies {
                feed.proxy(call.response(200), at: 1.7 + Double(index), Net.phone1001, Net.trunk)  // retransmissions
                feed.proxy(call.inDialog("ACK", cseq: 1), at: 1.75 + Double(index), Net.trunk, Net.phone1001)
            }
            for _ in 0..<copies { feed.proxy(call.inDialog("BYE", fromCallee: true), at: 9, Net.phone1001, Net.trunk) }
            return feed.finish()
        }
        let once = try run(copies: 1)
        #expect(once.count == 1)
        #expect(try run(copies: 2) == once)
        #expect(try run(copies: 3) == once)
        #expect(once.first?.talkSeconds == 7.8)
    }

    @Test("copies slightly out of order: a 180 before the forwarded INVITE changes nothing")
    func reordered() throws {
        var feed = TrackerFeed(site: try Net.site())
        let call = Dialog(callID: "ord-1", fromUser: "+358401234567", toUser: "1001")
        feed.send(call.response(180), at: 0.0012, Net.phone1001, Net.pbx)
        feed.send(call.invite(), at: 0.001, Net.pbx, Net.phone1001)
        feed.send(call.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(call.response(180), at: 0.0013, Net.pbx, Net.trunk)
        feed.proxy(call.response(200, contactUser: "1001"), at: 3, Net.phone1001, Net.trunk)
        feed.proxy(call.inDialog("BYE"), at: 5, Net.trunk, Net.phone1001)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].startedAt == TrackerFeed.time(0))
        #expect(records[0].direction == .inbound)
        #expect(records[0].ringSeconds == 3)
    }

    @Test("a proxy fork: one branch rejects early, the other answers later; one record with the answering extension")
    func forkWithEarlyReject() throws {
        var feed = TrackerFeed(site: try Net.site())
        let call = Dialog(callID: "fork-1", fromUser: "+358401234567", toUser: "2000")
        feed.send(call.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(call.invite(requestUser: "1001"), at: 0.001, Net.pbx, Net.phone1001)
        feed.send(call.invite(requestUser: "1002"), at: 0.001, Net.pbx, Net.phone1002)
        feed.send(call.response(180, toTag: "b1"), at: 0.1, Net.phone1001, Net.pbx)
        feed.send(call.response(180, toTag: "b2"), at: 0.1, Net.phone1002, Net.pbx)
        feed.send(call.response(180, toTag: "b1"), at: 0.11, Net.pbx, Net.trunk)
        feed.send(call.response(486, toTag: "b1"), at: 1, Net.phone1001, Net.pbx)
        feed.advance(to: 12)
        #expect(feed.records.isEmpty)
        feed.proxy(call.response(200, toTag: "b2", contactUser: "1002-xyz"), at: 12, Net.phone1002, Net.trunk)
        feed.proxy(call.inDialog("BYE", toTag: "b2"), at: 20, Net.trunk, Net.phone1002)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].outcome == .answered)
        #expect(records[0].extensionNumber == "1002")
        #expect(records[0].to == "2000")
        #expect(records[0].answeringURI == "sip:1002-xyz@10.9.9.9")
    }

    @Test("an unanswered ring group: missed, extension is the group that was called")
    func ringGroupMissed() throws {
        var feed = TrackerFeed(site: try Net.site())
        let call = Dialog(callID: "rg-1", fromUser: "+358401234567", toUser: "2000")
        feed.send(call.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(call.invite(requestUser: "1001"), at: 0.001, Net.pbx, Net.phone1001)
        feed.send(call.invite(requestUser: "1002"), at: 0.001, Net.pbx, Net.phone1002)
        feed.proxy(call.response(180, toTag: "b1"), at: 0.1, Net.phone1001, Net.trunk)
        feed.send(call.cancel(), at: 5, Net.trunk, Net.pbx)
        feed.send(call.cancel(), at: 5.001, Net.pbx, Net.phone1001)
        feed.send(call.cancel(), at: 5.001, Net.pbx, Net.phone1002)
        feed.send(call.response(487, toTag: "b1"), at: 5.01, Net.phone1001, Net.pbx)
        feed.send(call.response(487, toTag: "b2"), at: 5.01, Net.phone1002, Net.pbx)
        feed.send(call.response(487, toTag: "b1"), at: 5.02, Net.pbx, Net.trunk)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].outcome == .missed)
        #expect(records[0].extensionNumber == "2000")
        #expect(records[0].ringSeconds == 5)
    }

    @Test("CANCEL with Reason 'Call completed elsewhere' is answered elsewhere, not missed")
    func completedElsewhere() {
        var feed = TrackerFeed(site: nil)
        let call = Dialog(callID: "leg-1", fromUser: "+358401234567", toUser: "1001")
        feed.send(call.invite(), at: 0, Net.pbx, Net.phone1001)
        feed.send(call.response(180), at: 0.1, Net.phone1001, Net.pbx)
        let reason = #"SIP;cause=200;text="Call completed elsewhere""#
        feed.send(call.cancel(reasons: [reason]), at: 4, Net.pbx, Net.phone1001)
        feed.send(call.response(487), at: 4.01, Net.phone1001, Net.pbx)
        let records = feed.finish()
        #expect(records.map(\.outcome) == [.answeredElsewhere])
        #expect(records.first?.direction == .unknown)
    }

    @Test("a plain CANCEL by the caller is a missed call")
    func cancelledByCaller() {
        var feed = TrackerFeed(site: nil)
        let call = Dialog(callID: "leg-2", fromUser: "+358401234567", toUser: "1001")
        feed.send(call.invite(), at: 0, Net.trunk, Net.phone1001)
        feed.send(call.cancel(), at: 4, Net.trunk, Net.phone1001)
        feed.send(call.response(487), at: 4.01, Net.phone1001, Net.trunk)
        #expect(feed.finish().map(\.outcome) == [.missed])
    }

    @Test("a failed re-INVITE (488 on a T.38 switch) does not end the call")
    func failedReinvite() throws {
        var feed = TrackerFeed(site: try Net.site())
        let call = Dialog(callID: "fax-1", fromUser: "+358401234567", toUser: "1001")
        feed.proxy(call.invite(), at: 0, Net.trunk, Net.phone1001)
        feed.proxy(call.response(200, contactUser: "1001"), at: 1, Net.phone1001, Net.trunk)
        feed.proxy(call.inDialog("INVITE", cseq: 2), at: 10, Net.trunk, Net.phone1001)
        feed.proxy(call.response(488, cseq: 2), at: 10.1, Net.phone1001, Net.trunk)
        feed.proxy(call.inDialog("INVITE", cseq: 5, fromCallee: true), at: 11, Net.phone1001, Net.trunk)
        feed.proxy(call.response(491, cseq: 5), at: 11.1, Net.trunk, Net.phone1001)
        feed.advance(to: 60)
        #expect(feed.records.isEmpty)
        feed.proxy(call.inDialog("BYE", cseq: 3), at: 61, Net.trunk, Net.phone1001)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].outcome == .answered)
        #expect(records[0].talkSeconds == 60)
    }

    @Test("a BYE of another dialog (an extra forked answer) does not end the call")
    func byeOfOtherDialog() throws {
        var feed = TrackerFeed(site: nil)
        let call = Dialog(callID: "two-ok", fromUser: "a", toUser: "b")
        feed.send(call.invite(), at: 0, Net.phone1001, Net.pbx)
        feed.send(call.response(200, toTag: "first"), at: 1, Net.pbx, Net.phone1001)
        feed.send(call.response(200, toTag: "second"), at: 1.1, Net.pbx, Net.phone1001)
        feed.send(call.inDialog("BYE", toTag: "second"), at: 1.2, Net.phone1001, Net.pbx)
        feed.advance(to: 30)
        #expect(feed.records.isEmpty)
        feed.send(call.inDialog("BYE", toTag: "first"), at: 31, Net.phone1001, Net.pbx)
        #expect(feed.finish().map(\.talkSeconds) == [30])
    }

    @Test("blind transfer of an external caller: one record with the final extension")
    func blindTransfer() throws {
        var feed = TrackerFeed(site: try Net.site())
        let first = Dialog(callID: "bt-1", fromUser: "+358401234567", fromTag: "caller", toUser: "1001")
        feed.proxy(first.invite(), at: 0, Net.trunk, Net.phone1001)
        feed.proxy(first.response(200, toTag: "x1001", contactUser: "1001"), at: 2, Net.phone1001, Net.trunk)
        feed.proxy(
            first.inDialog("REFER", toTag: "x1001", fromCallee: true, referTo: "sip:1002@pbx"), at: 10, Net.phone1001,
            Net.trunk)
        let second = Dialog(callID: "bt-2", fromUser: "+358401234567", fromTag: "caller2", toUser: "1002")
        feed.proxy(second.invite(), at: 10.1, Net.trunk, Net.phone1002)
        feed.proxy(first.inDialog("BYE", toTag: "x1001", fromCallee: true), at: 10.2, Net.phone1001, Net.trunk)
        feed.proxy(second.response(200, toTag: "x1002", contactUser: "1002"), at: 13, Net.phone1002, Net.trunk)
        feed.proxy(second.inDialog("BYE", toTag: "x1002"), at: 40, Net.trunk, Net.phone1002)
        let records = feed.finish()
        try #require(records.count == 1)
        let record = records[0]
        #expect(record.direction == .inbound)
        #expect(record.from == "+358401234567")
        #expect(record.to == "1001")
        #expect(record.extensionNumber == "1002")
        #expect(record.callIDs == ["bt-1", "bt-2"])
        #expect(record.transfers.map(\.kind) == [.blind])
        #expect(record.ringSeconds == 2)
        #expect(record.talkSeconds == 38)
    }

    @Test("attended transfer: the external call ends with the consulted extension; the consult call stays internal")
    func attendedTransfer() throws {
        var feed = TrackerFeed(site: try Net.site())
        let external = Dialog(callID: "at-1", fromUser: "+358401234567", fromTag: "ext", toUser: "1001")
        feed.proxy(external.invite(), at: 0, Net.trunk, Net.phone1001)
        feed.proxy(external.response(200, toTag: "t1001", contactUser: "1001"), at: 1, Net.phone1001, Net.trunk)
        let consult = Dialog(callID: "at-2", fromUser: "1001", fromTag: "c1001", toUser: "1002")
        feed.proxy(consult.invite(), at: 5, Net.phone1001, Net.phone1002)
        feed.proxy(consult.response(200, toTag: "c1002", contactUser: "1002"), at: 7, Net.phone1002, Net.phone1001)
        let replaces = Replaces(callID: "at-2", toTag: "c1002", fromTag: "c1001")
        feed.proxy(
            external.inDialog(
                "REFER", toTag: "t1001", fromCallee: true,
                referTo: "sip:1002@pbx?Replaces=at-2%3Bto-tag%3Dc1002%3Bfrom-tag%3Dc1001", replaces: replaces),
            at: 12, Net.phone1001, Net.trunk)
        let joined = Dialog(callID: "at-3", fromUser: "+358401234567", fromTag: "ext3", toUser: "1002")
        feed.proxy(joined.invite(replaces: replaces), at: 12.2, Net.trunk, Net.phone1002)
        feed.proxy(joined.response(200, toTag: "j1002", contactUser: "1002"), at: 12.3, Net.phone1002, Net.trunk)
        feed.proxy(consult.inDialog("BYE", toTag: "c1002", fromCallee: true), at: 12.4, Net.phone1002, Net.phone1001)
        feed.proxy(external.inDialog("BYE", toTag: "t1001", fromCallee: true), at: 12.5, Net.phone1001, Net.trunk)
        feed.proxy(joined.inDialog("BYE", toTag: "j1002"), at: 30, Net.trunk, Net.phone1002)
        let records = feed.finish()
        try #require(records.count == 2)
        let consultRecord = records[0]
        #expect(consultRecord.direction == .internal)
        #expect(consultRecord.callIDs == ["at-2"])
        #expect(consultRecord.extensionNumber == "1002")
        let externalRecord = records[1]
        #expect(externalRecord.direction == .inbound)
        #expect(externalRecord.callIDs == ["at-1", "at-3"])
        #expect(externalRecord.extensionNumber == "1002")
        #expect(externalRecord.transfers.map(\.kind) == [.attended])
        #expect(externalRecord.talkSeconds == 29)
    }

    @Test("call pickup by an INVITE with Replaces joins the ringing call")
    func pickup() throws {
        var feed = TrackerFeed(site: try Net.site())
        let ringing = Dialog(callID: "pk-1", fromUser: "+358401234567", toUser: "1001")
        feed.proxy(ringing.invite(), at: 0, Net.trunk, Net.phone1001)
        feed.proxy(ringing.response(180, toTag: "r1"), at: 0.1, Net.phone1001, Net.trunk)
        let picker = Dialog(callID: "pk-2", fromUser: "1002", toUser: "1001")
        feed.send(
            picker.invite(replaces: Replaces(callID: "pk-1", toTag: "r1", fromTag: "ft")), at: 3, Net.phone1002, Net.pbx
        )
        feed.send(picker.response(200, contactUser: "1002"), at: 3.1, Net.pbx, Net.phone1002)
        feed.proxy(ringing.response(200, toTag: "r1", contactUser: "1002"), at: 3.2, Net.pbx, Net.trunk)
        feed.proxy(ringing.inDialog("BYE", toTag: "r1"), at: 9, Net.trunk, Net.pbx)
        feed.send(picker.inDialog("BYE"), at: 9.1, Net.pbx, Net.phone1002)
        let records = feed.finish()
        try #require(records.count == 1)
        #expect(records[0].transfers.map(\.kind) == [.replaces])
        #expect(records[0].outcome == .answered)
        #expect(records[0].extensionNumber == "1002")
        #expect(records[0].answeredAt == TrackerFeed.time(3.1))
    }
}
