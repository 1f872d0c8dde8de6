import Foundation
import RinglogCore

/// A live replay: packets from the HEP listener go through the call tracker as they arrive, and a timer
/// moves the tracker's clock on with the wall clock (a live source must advance time, docs/replay.md).
actor LiveCallCollector {
    private var replay: CallReplay
    /// The records of every call that ended so far, in the order they ended.
    private(set) var records: [CallRecord] = []

    init(configuration: CallTrackerConfiguration) {
        replay = CallReplay(configuration: configuration)
    }

    func add(_ packet: CapturedPacket) {
        records += replay.add(packet)
    }

    /// Moves the tracker's clock to now (the lab's HEP times come from the same machine's clock).
    func advanceToNow() {
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        records += replay.advance(to: CaptureTime(microsecondsSinceEpoch: now))
    }

    /// The record whose main Call-ID is `callID`, if that call ended.
    func record(callID: String) -> CallRecord? {
        records.first { $0.callID == callID }
    }
}
