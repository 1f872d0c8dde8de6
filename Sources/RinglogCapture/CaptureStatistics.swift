/// Counts of what a capture reader went through, for a summary line after a replay.
public struct CaptureStatistics: Sendable, Equatable {
    /// Link-layer frames read.
    public var frames = 0
    /// SIP messages found (plain, reassembled, or decoded from HEP).
    public var sipMessages = 0
    /// UDP or TCP payloads that looked like HEP.
    public var hepPackets = 0
    /// HEP packets the decoder refused (malformed, wrong password, not SIP, e.g. RTCP reports or logs).
    public var hepPacketsRejected = 0

    /// Creates zeroed statistics.
    public init() {}
}
