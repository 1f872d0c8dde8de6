/// Replays captured packets through the SIP decoder and the call tracker: the library side of
/// `ringlog replay`.
///
/// Packets may come slightly out of order (a proxy's copies, several capture files); a reorder buffer of
/// ``reorderWindowSeconds`` puts them in capture-time order before the tracker sees them.
public struct CallReplay: Sendable {
    /// Counts of what the replay saw.
    public struct Statistics: Sendable, Equatable {
        /// Packets given to ``CallReplay/add(_:)``.
        public var packets = 0
        /// Packets whose payload is not a SIP message ringlog can use.
        public var undecodable = 0
        /// Call records returned.
        public var records = 0
    }

    /// How long packets wait in the reorder buffer, in capture-time seconds.
    public let reorderWindowSeconds: Double
    /// ``reorderWindowSeconds`` in microseconds, read for every packet.
    private let reorderWindow: Int64
    /// What the replay has seen so far.
    public private(set) var statistics = Statistics()

    private var tracker: CallTracker
    /// Waiting messages in capture-time order, oldest first.
    private var buffer = ReorderRing<Pending>()

    /// Creates a replay with a tracker configuration.
    public init(configuration: CallTrackerConfiguration = CallTrackerConfiguration(), reorderWindowSeconds: Double = 2)
    {
        tracker = CallTracker(configuration: configuration)
        self.reorderWindowSeconds = max(0, reorderWindowSeconds)
        reorderWindow = CallTracker.microseconds(self.reorderWindowSeconds)
    }

    /// Takes one captured packet; returns the records of calls that ended, in the order they ended.
    public mutating func add(_ packet: consuming CapturedPacket) -> [CallRecord] {
        statistics.packets += 1
        guard let message = try? SIPMessage(decoding: packet.payload) else {
            statistics.undecodable += 1
            return []
        }
        guard Self.matters(message) else { return [] }
        // The message keeps the payload (its fields are read from it on demand); the packet's reference
        // to the same array is dropped, as the tracker does not read it. (The consumed packet is changed in
        // place: a `var` copy of it would retain and release each of its strings.)
        packet.payload = []
        let time = packet.timestamp.microsecondsSinceEpoch
        buffer.insert(Pending(packet: consume packet, message: consume message), at: time)
        // The newest waiting message: this one, or one captured after it that arrived earlier.
        let newest = buffer.newestTime ?? time
        let cutoff = newest - reorderWindow
        let records = release(upTo: cutoff)
        statistics.records += records.count
        return records
    }

    /// Moves time on without a packet (a live source calls this on a timer with the capture clock):
    /// releases buffered packets older than the reorder window and returns the calls that are now due.
    public mutating func advance(to time: CaptureTime) -> [CallRecord] {
        let cutoff = time.microsecondsSinceEpoch - reorderWindow
        var records = release(upTo: cutoff)
        records += tracker.advance(to: CaptureTime(microsecondsSinceEpoch: cutoff))
        statistics.records += records.count
        return records
    }

    /// The capture time at which ``advance(to:)`` next has something to do: the oldest buffered packet leaves
    /// the reorder window, or a finished call's grace ends. `nil` when nothing waits; a live source sleeps
    /// until then (and at most a second, for the eviction of stale calls).
    public var nextDue: CaptureTime? {
        let window = reorderWindow
        var due = tracker.nextClosingDue.map { $0.microsecondsSinceEpoch + window }
        if let oldestTime = buffer.oldestTime {
            let oldest = oldestTime + window
            due = min(due ?? oldest, oldest)
        }
        return due.map { CaptureTime(microsecondsSinceEpoch: $0) }
    }

    /// Ends the input: drains the reorder buffer and returns every remaining call.
    public mutating func finish() -> [CallRecord] {
        var records = release(upTo: .max)
        buffer.removeAll()
        records += tracker.finish()
        statistics.records += records.count
        return records
    }

    /// Replays a whole list of packets and returns every record, in the order the calls ended.
    public static func records(
        from packets: some Sequence<CapturedPacket>,
        configuration: CallTrackerConfiguration = CallTrackerConfiguration()
    ) -> [CallRecord] {
        var replay = CallReplay(configuration: configuration)
        var records: [CallRecord] = []
        for packet in packets { records += replay.add(packet) }
        return records + replay.finish()
    }

    /// Messages of INVITE dialogs and their transfers; presence, registration and other traffic is dropped
    /// before the reorder buffer.
    static func matters(_ message: SIPMessage) -> Bool {
        // By the method's number, with no string made: every message stores the usual methods (these among
        // them) as numbers, however it was made, so a method kept as text is none of them.
        switch message.lazyCSeqMethod.known {
        case 1, 2, 3, 4, 5, 6, 9, 10: true  // INVITE, ACK, BYE, CANCEL, UPDATE, PRACK, REFER, INFO
        default: false
        }
    }

    /// A decoded message waiting in the reorder buffer.
    private struct Pending: Sendable {
        var packet: CapturedPacket
        var message: SIPMessage
    }

    /// Hands the buffered messages captured at or before `cutoff` (microseconds) to the tracker, in order.
    private mutating func release(upTo cutoff: Int64) -> [CallRecord] {
        Self.release(upTo: cutoff, from: &buffer, to: &tracker)
    }

    /// The messages are processed where they wait in the ring (moving one out copies it twice).
    private static func release(
        upTo cutoff: Int64, from buffer: inout ReorderRing<Pending>, to tracker: inout CallTracker
    ) -> [CallRecord] {
        var records: [CallRecord] = []
        var removed = true
        while removed {
            removed = buffer.removeOldest(ifAtOrBefore: cutoff) { due in
                // Most messages end no call: appending their empty lists would still cost a call each.
                let ended = tracker.process(due.message, packet: due.packet)
                if !ended.isEmpty {
                    // The first list is taken as it is: appending it to an empty one would copy it.
                    if records.isEmpty { records = ended } else { records += ended }
                }
            }
        }
        return records
    }
}
