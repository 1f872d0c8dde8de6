import RinglogCore

/// Something that delivers captured SIP messages as they happen: ``LiveCapture`` and ``HEPListener``.
///
/// The daemon consumes `packets` in one task (`for await packet in source.packets`) and calls ``stop()``
/// at shutdown; the stream then finishes. Sources buffer a bounded number of packets and drop (and
/// count) new ones when the consumer falls behind, so a slow consumer never blocks capture.
public protocol CapturedPacketSource: AnyObject, Sendable {
    /// The captured SIP messages, in arrival order; finishes after ``stop()`` or a fatal capture error.
    var packets: AsyncStream<CapturedPacket> { get }

    /// Stops capturing, releases sockets and handles, and finishes ``packets``. Safe to call more than once.
    func stop()
}

/// Where capture adapters report events worth a debug line (malformed datagrams, refused connections).
///
/// A seam for the daemon's logger: capture code never prints.
public struct CaptureLogger: Sendable {
    /// Receives one debug-level message.
    public var debug: @Sendable (String) -> Void

    /// Creates a logger that passes debug messages to `debug`.
    public init(debug: @escaping @Sendable (String) -> Void) {
        self.debug = debug
    }

    /// A logger that discards everything.
    public static let disabled = CaptureLogger { _ in }
}
