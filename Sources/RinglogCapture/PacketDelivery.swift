import RinglogCore
import Synchronization

/// The producing end of a source's bounded packet stream: yields from a capture thread, drops (and
/// counts) the newest packet when the buffer is full.
final class PacketDelivery: Sendable {
    /// The consuming end.
    let packets: AsyncStream<CapturedPacket>
    private let continuation: AsyncStream<CapturedPacket>.Continuation
    private let droppedCount = Atomic<Int>(0)

    /// Creates a stream that buffers at most `capacity` packets.
    init(capacity: Int) {
        (packets, continuation) = AsyncStream.makeStream(
            of: CapturedPacket.self, bufferingPolicy: .bufferingOldest(Swift.max(1, capacity)))
    }

    /// Packets dropped because the buffer was full (or the stream had finished).
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Offers a packet to the consumer; returns `false` when it was dropped.
    @discardableResult
    func deliver(_ packet: CapturedPacket) -> Bool {
        switch continuation.yield(packet) {
        case .enqueued:
            return true
        case .dropped, .terminated:
            droppedCount.add(1, ordering: .relaxed)
            return false
        @unknown default:
            droppedCount.add(1, ordering: .relaxed)
            return false
        }
    }

    /// Ends the stream; the consumer's loop finishes after the buffered packets.
    func finish() {
        continuation.finish()
    }
}
