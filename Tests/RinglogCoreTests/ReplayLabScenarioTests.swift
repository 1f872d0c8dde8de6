import RinglogCore
import Testing

/// The lab's site: Kamailio at 127.0.0.1:15060, the carrier at 15090/15091, extensions 1xxx.
func labSite() throws -> SiteDescription {
    try SiteDescription(
        pbxAddresses: ["127.0.0.1:15060"], trunkAddresses: ["127.0.0.1:15090", "127.0.0.1:15091"],
        extensionPattern: #"1\d{3}"#)
}

func labRecords(_ scenario: String, site: SiteDescription?) throws -> [CallRecord] {
    CallReplay.records(from: try HEPFixtures.packets(scenario), configuration: CallTrackerConfiguration(site: site))
}

/// What one lab scenario must give: the scripted calls of `data/<scenario>.log`.
struct LabExpectation: Sendable, CustomTestStringConvertible {
    var scenario: String
    var callID: String
    var direction: CallDirection
    var from: String
    var to: String
    var extensionNumber: String?
    var outcome: CallOutcome
    var ringSeconds: Double
    var talkSeconds: Double
    var callIDs: Int = 1

    var testDescription: String { scenario }
}

@Suite("Replay of the lab recordings")
struct ReplayLabScenarioTests {
    static let expectations = [
        LabExpectation(
            scenario: "inbound_answered", callID: "1-18851@127.0.0.1", direction: .inbound, from: "+4930111111",
            to: "1001", extensionNumber: "1001", outcome: .answered, ringSeconds: 1, talkSeconds: 3),
        LabExpectation(
            scenario: "missed", callID: "1-18853@127.0.0.1", direction: .inbound, from: "+4930111111", to: "1001",
            extensionNumber: "1001", outcome: .missed, ringSeconds: 3, talkSeconds: 0),
        LabExpectation(
            scenario: "busy", callID: "1-18854@127.0.0.1", direction: .inbound, from: "+4930111111", to: "1001",
            extensionNumber: "1001", outcome: .busy, ringSeconds: 0.5, talkSeconds: 0),
        LabExpectation(
            scenario: "outbound", callID: "19a3fcd001706cf2", direction: .outbound, from: "1001", to: "+4930222222",
            extensionNumber: "1001", outcome: .answered, ringSeconds: 1, talkSeconds: 3),
        LabExpectation(
            scenario: "ring_group", callID: "1-18856@127.0.0.1", direction: .inbound, from: "+4930111111",
            to: "2000", extensionNumber: "1002", outcome: .answered, ringSeconds: 1, talkSeconds: 3),
        LabExpectation(
            scenario: "transfer", callID: "4336f83459c25f80", direction: .internal, from: "1003", to: "1001",
            extensionNumber: "1002", outcome: .answered, ringSeconds: 0, talkSeconds: 3, callIDs: 2),
        LabExpectation(
            scenario: "click_to_call", callID: "63ec99014c10adfd", direction: .outbound, from: "1001",
            to: "+4930222222", extensionNumber: "1001", outcome: .answered, ringSeconds: 1, talkSeconds: 3,
            callIDs: 2),
    ]

    @Test("one exact record per scenario with the lab's site description", arguments: expectations)
    func scenario(expected: LabExpectation) throws {
        let records = try labRecords(expected.scenario, site: labSite())
        try #require(records.count == 1)
        let record = records[0]
        #expect(record.callID == expected.callID)
        #expect(record.direction == expected.direction)
        #expect(record.from == expected.from)
        #expect(record.to == expected.to)
        #expect(record.extensionNumber == expected.extensionNumber)
        #expect(record.outcome == expected.outcome)
        #expect(record.complete)
        #expect(record.callIDs.count == expected.callIDs)
        #expect(abs(record.ringSeconds - expected.ringSeconds) < 1)
        #expect(abs(record.talkSeconds - expected.talkSeconds) < 1)
        #expect((record.answeredAt != nil) == (expected.outcome == .answered))
        let endedAt = try #require(record.endedAt)
        #expect(abs(record.startedAt.seconds(until: endedAt) - expected.ringSeconds - expected.talkSeconds) < 1)
    }

    @Test("exact JSON line of the inbound answered call")
    func jsonLine() throws {
        let record = try #require(try labRecords("inbound_answered", site: labSite()).first)
        #expect(
            record.jsonLine
                == #"{"call_id":"1-18851@127.0.0.1","direction":"inbound","from":"+4930111111","to":"1001","#
                + #""extension":"1001","started_at":"2026-11-21T03:53:36.823Z","answered_at":"2026-11-21T03:53:37.825Z","#
                + #""ended_at":"2026-11-21T03:53:40.831Z","ring_seconds":1.0,"talk_seconds":3.0,"outcome":"answered","#
                + #""complete":true}"#)
    }

    @Test("the transfer record keeps both dialogs and the blind transfer")
    func transferHistory() throws {
        let record = try #require(try labRecords("transfer", site: labSite()).first)
        #expect(record.callIDs == ["4336f83459c25f80", "fdc12b2c4060a688"])
        #expect(record.transfers.map(\.kind) == [.blind])
        #expect(record.transfers.first?.target == "sip:1002@127.0.0.1")
        #expect(record.answeringURI == "sip:1002-0x559f57310cc0@127.0.0.1:15120")
    }

    @Test("without a site description: direction unknown, no extension, same outcomes", arguments: expectations)
    func withoutSite(expected: LabExpectation) throws {
        let records = try labRecords(expected.scenario, site: nil)
        try #require(records.count == 1)
        #expect(records[0].direction == .unknown)
        #expect(records[0].extensionNumber == nil)
        #expect(records[0].outcome == expected.outcome)
        #expect(records[0].complete)
    }

    @Test("all scenarios in one stream, in the order the calls ended")
    func allTogether() throws {
        var packets: [CapturedPacket] = []
        for scenario in HEPFixtures.scenarios { packets += try HEPFixtures.packets(scenario) }
        let records = CallReplay.records(from: packets, configuration: CallTrackerConfiguration(site: try labSite()))
        #expect(records.map(\.callID) == Self.expectations.map(\.callID))
        #expect(records.allSatisfy { $0.complete })
    }

    @Test("copies out of order by up to 2 ms, in arrival and in capture time, change nothing", arguments: expectations)
    func jitter(expected: LabExpectation) throws {
        let original = try HEPFixtures.packets(expected.scenario)
        let reference = try labRecords(expected.scenario, site: labSite())
        var generator = SplitMix64(seed: UInt64(expected.scenario.utf8.count))
        for _ in 0..<5 {
            var packets = original
            for index in packets.indices {
                packets[index].timestamp.microsecondsSinceEpoch += Int64(generator.next() % 2001) - 1000
            }
            for index in packets.indices.dropFirst() where generator.next() % 3 == 0 {
                let gap = packets[index].timestamp.seconds(until: packets[index - 1].timestamp)
                if abs(gap) < 0.002 { packets.swapAt(index, index - 1) }
            }
            let records = CallReplay.records(
                from: packets, configuration: CallTrackerConfiguration(site: try labSite()))
            try #require(records.count == 1)
            #expect(records[0].outcome == reference[0].outcome)
            #expect(records[0].extensionNumber == reference[0].extensionNumber)
            #expect(records[0].direction == reference[0].direction)
            #expect(records[0].from == reference[0].from)
            #expect(records[0].to == reference[0].to)
            #expect(abs(records[0].ringSeconds - reference[0].ringSeconds) <= 0.1)
            #expect(abs(records[0].talkSeconds - reference[0].talkSeconds) <= 0.1)
        }
    }

    @Test("a live source gets the record from advance(to:) once the grace period has passed")
    func liveAdvance() throws {
        let packets = try HEPFixtures.packets("busy")
        var replay = CallReplay(configuration: CallTrackerConfiguration(site: try labSite()))
        var records: [CallRecord] = []
        for packet in packets { records += replay.add(packet) }
        #expect(records.isEmpty)
        let last = try #require(packets.map(\.timestamp).max())
        records += replay.advance(to: CaptureTime(microsecondsSinceEpoch: last.microsecondsSinceEpoch + 3_000_000))
        #expect(records.isEmpty)
        records += replay.advance(to: CaptureTime(microsecondsSinceEpoch: last.microsecondsSinceEpoch + 7_000_000))
        #expect(records.map(\.outcome) == [.busy])
        #expect(replay.finish().isEmpty)
    }

    @Test("a cut-off recording gives incomplete records")
    func cutOff() throws {
        let packets = try HEPFixtures.packets("inbound_answered")
        let answerIndex = try #require(
            packets.firstIndex {
                String(decoding: $0.payload.prefix(24), as: UTF8.self).hasPrefix("SIP/2.0 200 Answering")
            })
        let records = CallReplay.records(
            from: packets[...answerIndex], configuration: CallTrackerConfiguration(site: try labSite()))
        try #require(records.count == 1)
        #expect(records[0].complete == false)
        #expect(records[0].endedAt == nil)
        #expect(records[0].outcome == .answered)
    }
}
