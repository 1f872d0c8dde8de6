import RinglogCore
import Testing

/// The reorder buffer puts packets back in capture-time order, however many wait at once.
@Suite("Replay reorder buffer")
struct ReplayReorderTests {
    /// The lab's scenarios one after the other, 1,000 s apart (so their Call-IDs never meet), in time order,
    /// each packet a microsecond after the one before at least (no two at the same time: equal times keep
    /// their arrival order, so reordering them would change the input).
    private static func labStream() throws -> [CapturedPacket] {
        let scenarios = ["busy", "click_to_call", "inbound_answered", "missed", "outbound", "ring_group", "transfer"]
        var stream: [CapturedPacket] = []
        for (index, scenario) in scenarios.enumerated() {
            for var packet in try HEPFixtures.packets(scenario) {
                packet.timestamp = CaptureTime(
                    microsecondsSinceEpoch: packet.timestamp.microsecondsSinceEpoch + Int64(index) * 1_000_000_000)
                stream.append(packet)
            }
        }
        var ordered = stream.enumerated()
            .sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            .map(\.element)
        for index in ordered.indices {
            ordered[index].timestamp = CaptureTime(
                microsecondsSinceEpoch: ordered[index].timestamp.microsecondsSinceEpoch + Int64(index))
        }
        return ordered
    }

    private static func replay(_ packets: [CapturedPacket], window: Double) throws -> [CallRecord] {
        var replay = CallReplay(
            configuration: CallTrackerConfiguration(site: try labSite()), reorderWindowSeconds: window)
        var records: [CallRecord] = []
        for packet in packets { records += replay.add(packet) }
        return records + replay.finish()
    }

    @Test(
        "neighbours swapped on arrival give the same records as time order, with the buffer holding a few or all",
        arguments: [2.0, 2_500.0, 1e9])
    func swappedNeighbours(window: Double) throws {
        let ordered = try Self.labStream()
        try #require(ordered.count > 128)
        var arrival = ordered
        for index in stride(from: 0, to: arrival.count - 1, by: 2) { arrival.swapAt(index, index + 1) }
        let expected = try Self.replay(ordered, window: window)
        #expect(expected.count >= 7)
        #expect(try Self.replay(arrival, window: window) == expected)
    }

    @Test("packets arriving newest first are replayed oldest first")
    func reversed() throws {
        let ordered = try Self.labStream()
        let expected = try Self.replay(ordered, window: 1e9)
        #expect(try Self.replay(ordered.reversed(), window: 1e9) == expected)
    }
}
