import RinglogCapture
import RinglogCore
import RinglogTestSupport
import Testing

/// The lab's recordings (Tests/Fixtures/lab) replayed with the lab's site description give exactly the
/// records the lab scripted: the fast form of the lab integration tests.
@Suite("Replay of the lab's recordings")
struct LabRecordingReplayTests {
    @Test("raw HEP file: the expected records, exactly", arguments: LabFixtures.scenarios)
    func hepRecording(scenario: String) throws {
        let packets = try LabFixtures.hepPackets(path: LabFixtures.path("lab/\(scenario).hep"))
        try check(scenario: scenario, packets: packets)
    }

    @Test("pcap of HEP in UDP: the expected records, exactly", arguments: LabFixtures.scenarios)
    func pcapRecording(scenario: String) throws {
        let packets = try LabFixtures.capturePackets(path: LabFixtures.path("lab/\(scenario).pcap"))
        try check(scenario: scenario, packets: packets)
    }

    @Test("every mirrored message counts once: the records do not change when each packet is sent three times")
    func tripleSentPackets() throws {
        for scenario in ["inbound_answered", "ring_group", "blind_transfer"] {
            let packets = try LabFixtures.hepPackets(path: LabFixtures.path("lab/\(scenario).hep"))
            try check(scenario: scenario, packets: packets.flatMap { [$0, $0, $0] })
        }
    }

    private func check(scenario: String, packets: [CapturedPacket]) throws {
        let expected = try LabFixtures.expectedRecords(path: LabFixtures.path("lab/\(scenario).expected.json"))
        let records = CallReplay.records(from: packets, configuration: try LabFixtures.configuration())
        #expect(records.count == expected.count, "\(scenario): \(records.map(\.jsonLine))")
        for expectation in expected {
            let record = try #require(
                records.first { $0.callID == expectation.callID }, "\(scenario): no record for \(expectation.callID)")
            let differences = expectation.differences(from: record)
            #expect(differences.isEmpty, "\(scenario): \(differences.joined(separator: "; "))")
        }
    }
}
