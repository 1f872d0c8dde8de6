import RinglogCore
import Testing

@Suite("Call tracker under hostile input")
struct CallTrackerHostileInputTests {
    @Test("mutated, shuffled and re-timed lab traffic never traps and keeps state bounded")
    func mutatedLabTraffic() throws {
        var generator = SplitMix64(seed: 7)
        var packets: [CapturedPacket] = []
        for scenario in HEPFixtures.scenarios { packets += try HEPFixtures.packets(scenario) }
        let site = try labSite()
        for round in 0..<6 {
            var replay = CallReplay(
                configuration: CallTrackerConfiguration(
                    site: round.isMultiple(of: 2) ? site : nil, maximumOpenDialogs: 8))
            var records: [CallRecord] = []
            for var packet in packets {
                switch generator.next() % 8 {
                case 0:
                    // Flip a few bytes of the SIP text.
                    for _ in 0..<3 where !packet.payload.isEmpty {
                        let index = Int(generator.next() % UInt64(packet.payload.count))
                        packet.payload[index] = UInt8(truncatingIfNeeded: generator.next())
                    }
                case 1:
                    // Move the packet in time, far or near.
                    let shift = Int64(generator.next() % 20_000_000) - 10_000_000
                    packet.timestamp.microsecondsSinceEpoch += round > 3 ? shift * 1000 : shift
                case 2:
                    packet.source = packet.destination
                default:
                    break
                }
                records += replay.add(packet)
                if generator.next() % 5 == 0 { records += replay.add(packet) }
            }
            records += replay.finish()
            for record in records {
                #expect(record.ringSeconds >= 0)
                #expect(record.talkSeconds >= 0)
                #expect(!record.jsonLine.isEmpty)
            }
        }
    }

    @Test("a flood of distinct INVITEs never holds more dialogs than the cap")
    func flood() {
        var tracker = CallTracker(configuration: CallTrackerConfiguration(maximumOpenDialogs: 100))
        var emitted = 0
        for index in 0..<2_000 {
            let message = SIPMessage(
                startLine: .request(method: "INVITE", uri: "sip:1@x"), callID: "flood-\(index)", cseqNumber: 1,
                cseqMethod: "INVITE", from: NameAddress(uri: "sip:a@x", tag: "t\(index)"),
                to: NameAddress(uri: "sip:b@x"))
            let packet = CapturedPacket(
                timestamp: CaptureTime(seconds: 1_800_000_000, microseconds: Int64(index)),
                source: TransportEndpoint(address: "10.0.0.9", port: 5060),
                destination: TransportEndpoint(address: "10.0.0.1", port: 5060), transport: .udp, payload: [])
            emitted += tracker.process(message, packet: packet).count
            #expect(tracker.openDialogCount <= 100)
        }
        emitted += tracker.finish().count
        #expect(emitted == 2_000)
    }
}
