/// Bounds on the memory that packet reassembly may hold, so hostile or broken traffic cannot grow it.
///
/// Times are capture times (the packets' own timestamps), which keeps replay deterministic.
public struct CaptureLimits: Sendable, Equatable {
    /// The longest SIP message (or WebSocket frame, or HEP packet) accepted from a stream; longer ones
    /// reset the stream.
    public var maximumMessageSize: Int
    /// The most TCP flow directions tracked at once; the least recently active one is dropped first.
    public var maximumTCPFlows: Int
    /// The most out-of-order segments held per TCP flow while waiting for a missing one.
    public var maximumOutOfOrderSegments: Int
    /// The most bytes all TCP flows together may hold (stream buffers and out-of-order segments); over it,
    /// the least recently active flows are dropped.
    public var maximumBufferedStreamBytes: Int
    /// Seconds without traffic after which a TCP flow is forgotten.
    public var tcpFlowIdleTimeout: Int64
    /// The most fragmented IP datagrams waiting for their missing fragments.
    public var maximumPendingFragmentedDatagrams: Int
    /// The most fragments one datagram may have.
    public var maximumFragmentsPerDatagram: Int
    /// Seconds after its first fragment at which an incomplete datagram is dropped.
    public var fragmentTimeout: Int64

    /// Creates limits; the defaults suit a PBX's SIP traffic.
    public init(
        maximumMessageSize: Int = 128 * 1024, maximumTCPFlows: Int = 1024, maximumOutOfOrderSegments: Int = 32,
        maximumBufferedStreamBytes: Int = 64 * 1024 * 1024, tcpFlowIdleTimeout: Int64 = 300,
        maximumPendingFragmentedDatagrams: Int = 256,
        maximumFragmentsPerDatagram: Int = 64, fragmentTimeout: Int64 = 30
    ) {
        self.maximumMessageSize = maximumMessageSize
        self.maximumTCPFlows = maximumTCPFlows
        self.maximumOutOfOrderSegments = maximumOutOfOrderSegments
        self.maximumBufferedStreamBytes = maximumBufferedStreamBytes
        self.tcpFlowIdleTimeout = tcpFlowIdleTimeout
        self.maximumPendingFragmentedDatagrams = maximumPendingFragmentedDatagrams
        self.maximumFragmentsPerDatagram = maximumFragmentsPerDatagram
        self.fragmentTimeout = fragmentTimeout
    }
}
