import RinglogCore
import Testing

@Suite("Dialog events: call records from dialog states")
struct DialogEventTrackerTests {
    private let configuration = DialogEventTracker.Configuration(
        extensionPattern: #"1\d{3}"#, watchedExtensions: ["1001", "1002"], ignoredRemoteUsers: ["agent"])

    private static let start = CaptureTime(seconds: 1_790_000_000, microseconds: 0)

    private func at(_ seconds: Double) -> CaptureTime {
        CaptureTime(microsecondsSinceEpoch: Self.start.microsecondsSinceEpoch + Int64(seconds * 1_000_000))
    }

    /// One Kamailio-style `<dialog>`.
    private func dialog(
        _ callID: String, _ state: String, direction: String = "recipient", remote: String = "+4930111111",
        local: String = "1001"
    ) -> String {
        """
        <dialog id="padi-\(callID)" call-id="\(callID)" direction="\(direction)"><state>\(state)</state>
        <remote><identity>sip:\(remote)@127.0.0.1</identity></remote>
        <local><identity>sip:\(local)@127.0.0.1</identity></local></dialog>
        """
    }

    private func body(_ version: Int, _ dialogs: [String], state: String = "full") throws -> DialogInfo {
        try DialogInfo(
            parsing: "<dialog-info version=\"\(version)\" state=\"\(state)\" entity=\"sip:x@127.0.0.1\">"
                + dialogs.joined() + "</dialog-info>")
    }

    @Test("an answered inbound call: early, confirmed, terminated")
    func inboundAnswered() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        #expect(tracker.observe(try body(2, [dialog("c1", "early")]), extension: "1001", at: at(0)).isEmpty)
        #expect(tracker.observe(try body(3, [dialog("c1", "confirmed")]), extension: "1001", at: at(2)).isEmpty)
        let records = tracker.observe(try body(4, [dialog("c1", "terminated")]), extension: "1001", at: at(5))
        #expect(
            records == [
                CallRecord(
                    callID: "c1", direction: .inbound, from: "+4930111111", to: "1001", extensionNumber: "1001",
                    startedAt: at(0), answeredAt: at(2), endedAt: at(5), ringSeconds: 2, talkSeconds: 3,
                    outcome: .answered, complete: true)
            ])
        #expect(tracker.openCallCount == 0)
        // The ended dialog lingers in later full bodies: no second record.
        #expect(tracker.observe(try body(5, [dialog("c1", "terminated")]), extension: "1001", at: at(6)).isEmpty)
    }

    @Test("a missed call; a lingering terminated dialog never seen live makes no record")
    func missed() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        let old = dialog("c0", "terminated")
        #expect(tracker.observe(try body(5, [dialog("c2", "early"), old]), extension: "1001", at: at(0)).isEmpty)
        let records = tracker.observe(
            try body(6, [dialog("c2", "terminated"), old]), extension: "1001", at: at(3))
        #expect(records.count == 1)
        #expect(records.first?.callID == "c2")
        #expect(records.first?.outcome == .missed)
        #expect(records.first?.ringSeconds == 3)
        #expect(records.first?.talkSeconds == 0)
        #expect(records.first?.answeredAt == nil)
    }

    @Test("an outbound call: Trying (capitalised), early, confirmed, terminated as initiator")
    func outbound() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        let states = ["Trying", "early", "confirmed", "terminated"]
        var records: [CallRecord] = []
        for (index, state) in states.enumerated() {
            records += tracker.observe(
                try body(9 + index, [dialog("c3", state, direction: "initiator", remote: "+4930222222")]),
                extension: "1001", at: at([0, 0.5, 1.5, 4.5][index]))
        }
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.direction == .outbound)
        #expect(record.from == "1001")
        #expect(record.to == "+4930222222")
        #expect(record.extensionNumber == "1001")
        #expect(record.ringSeconds == 1.5)
        #expect(record.talkSeconds == 3)
    }

    @Test("a ring group: both members report the call; one record, to the group, the first to confirm")
    func ringGroup() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        let member = { (state: String, ext: String) in self.dialog("c5", state, local: "2000") }
        var records: [CallRecord] = []
        records += tracker.observe(try body(2, [member("early", "1002")]), extension: "1002", at: at(0))
        records += tracker.observe(try body(14, [member("early", "1001")]), extension: "1001", at: at(0.01))
        records += tracker.observe(try body(4, [member("confirmed", "1002")]), extension: "1002", at: at(2))
        records += tracker.observe(try body(16, [member("confirmed", "1001")]), extension: "1001", at: at(2.01))
        records += tracker.observe(try body(5, [member("terminated", "1002")]), extension: "1002", at: at(5))
        #expect(records.isEmpty)  // 1001 still shows the call
        records += tracker.observe(try body(18, [member("terminated", "1001")]), extension: "1001", at: at(5.01))
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.direction == .inbound)
        #expect(record.to == "2000")
        #expect(record.extensionNumber == "1002")
        #expect(record.outcome == .answered)
        #expect(record.talkSeconds == 3.0)  // 3.01, kept to one decimal
    }

    @Test("an internal call from an unwatched extension; a call from ringlog's own account is not logged")
    func internalAndIgnored() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        _ = tracker.observe(try body(1, [dialog("c6", "early", remote: "1003")]), extension: "1001", at: at(0))
        let records = tracker.observe(
            try body(2, [dialog("c6", "terminated", remote: "1003")]), extension: "1001", at: at(1))
        #expect(records.first?.direction == .internal)
        #expect(records.first?.from == "1003")
        #expect(records.first?.to == "1001")
        _ = tracker.observe(try body(3, [dialog("c7", "confirmed", remote: "agent")]), extension: "1001", at: at(2))
        #expect(
            tracker.observe(try body(4, [dialog("c7", "terminated", remote: "agent")]), extension: "1001", at: at(3))
                .isEmpty)
        #expect(tracker.openCallCount == 0)
    }

    @Test("a dialog missing from a full document has ended; a partial document changes only what it lists")
    func fullAndPartial() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        _ = tracker.observe(
            try body(1, [dialog("c8", "confirmed"), dialog("c9", "early")]), extension: "1001", at: at(0))
        #expect(
            tracker.observe(try body(2, [dialog("c9", "early")], state: "partial"), extension: "1001", at: at(1))
                .isEmpty)
        let records = tracker.observe(try body(3, [dialog("c9", "early")]), extension: "1001", at: at(4))
        #expect(records.map(\.callID) == ["c8"])
        #expect(records.first?.talkSeconds == 4)
        #expect(tracker.openCallCount == 1)
    }

    @Test("documents that are not newer than the last one are ignored until the subscription restarts")
    func versions() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        _ = tracker.observe(try body(5, [dialog("c10", "early")]), extension: "1001", at: at(0))
        #expect(tracker.observe(try body(5, [dialog("c10", "terminated")]), extension: "1001", at: at(1)).isEmpty)
        #expect(tracker.observe(try body(4, [dialog("c10", "terminated")]), extension: "1001", at: at(1)).isEmpty)
        tracker.subscriptionRestarted(extension: "1001")
        #expect(tracker.observe(try body(0, [dialog("c10", "terminated")]), extension: "1001", at: at(2)).count == 1)
    }

    @Test("Asterisk-style bodies: no call-id, direction or remote; the state code says busy")
    func asterisk() throws {
        var tracker = DialogEventTracker(configuration: configuration)
        let bare = { (state: String) in
            try DialogInfo(
                parsing:
                    "<dialog-info version=\"1\" state=\"full\" entity=\"sip:1001@pbx\"><dialog id=\"1001\">\(state)</dialog></dialog-info>"
            )
        }
        _ = tracker.observe(try bare("<state>early</state>"), extension: "1001", at: at(0))
        tracker.subscriptionRestarted(extension: "1001")
        let records = tracker.observe(
            try bare(#"<state event="rejected" code="486">terminated</state>"#), extension: "1001", at: at(1))
        let record = try #require(records.first)
        #expect(record.callID == "dialog:1001:1001")
        #expect(record.direction == .unknown)
        #expect(record.from == nil)
        #expect(record.to == "1001")
        #expect(record.outcome == .busy)
    }

    @Test("stale and remaining calls are closed as incomplete")
    func incomplete() throws {
        var tracker = DialogEventTracker(
            configuration: DialogEventTracker.Configuration(watchedExtensions: ["1001"], maximumCallAgeSeconds: 60))
        _ = tracker.observe(
            try body(1, [dialog("c11", "confirmed"), dialog("c12", "early")]), extension: "1001", at: at(0))
        #expect(tracker.evictStale(at: at(30)).isEmpty)
        _ = tracker.observe(
            try body(2, [dialog("c11", "confirmed"), dialog("c12", "early"), dialog("c13", "early")]),
            extension: "1001", at: at(50))
        let stale = tracker.evictStale(at: at(61))
        #expect(stale.map(\.callID) == ["c11", "c12"])
        #expect(stale.allSatisfy { !$0.complete && $0.endedAt == nil })
        #expect(stale.first?.talkSeconds == 61)
        #expect(tracker.finishAll(at: at(70)).map(\.callID) == ["c13"])
        #expect(tracker.openCallCount == 0)
    }
}
