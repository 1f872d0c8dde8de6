/// One SIP message as a capture source saw it: from HEP, a pcap file, live capture or a test.
///
/// Capture adapters produce these; the SIP decoder and the call tracker consume them.
public struct CapturedPacket: Sendable, Equatable {
    /// When the message was captured (HEP's timestamp chunks, or the pcap record time).
    public var timestamp: CaptureTime
    /// Where the message came from.
    public var source: TransportEndpoint
    /// Where the message went.
    public var destination: TransportEndpoint
    /// The transport the message travelled over.
    public var transport: TransportProtocol
    /// The SIP message bytes (start line, headers, body).
    public var payload: [UInt8]
    /// HEP's correlation id (chunk 0x0011), when the sender set one: it ties a B2BUA's legs together.
    public var correlationID: String?
    /// HEP's capture agent id (chunk 0x000c), when present.
    public var captureAgentID: UInt32?

    /// Creates a captured packet.
    public init(
        timestamp: CaptureTime, source: TransportEndpoint, destination: TransportEndpoint,
        transport: TransportProtocol, payload: [UInt8], correlationID: String? = nil, captureAgentID: UInt32? = nil
    ) {
        self.timestamp = timestamp
        self.source = source
        self.destination = destination
        self.transport = transport
        self.payload = payload
        self.captureAgentID = captureAgentID
        setCorrelationID(correlationID)
    }

    /// Stores the correlation id outside the initializer's own assignments: Swift 6.3 compiles an initializer
    /// that assigns an optional string to a struct this large as building the struct, copying it whole
    /// (retaining its payload and strings) and destroying the original. A packet is made for every message.
    private mutating func setCorrelationID(_ correlationID: String?) {
        self.correlationID = correlationID
    }
}

/// An address (text form, e.g. `127.0.0.1`, `::1` or a host name in configuration) and a port.
public struct TransportEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The address in its usual text form (or a host name); IPv6 without brackets.
    public var address: String
    /// The port number.
    public var port: UInt16

    /// Creates an endpoint.
    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port` (as configuration files write them); `nil` when either part is
    /// missing or the port is not 1-65535.
    public init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(" "), let port = UInt16(portPart), port > 0 else { return nil }
        self.address = String(hostPart)
        self.port = port
    }

    /// `host:port`, with IPv6 addresses in brackets.
    public var description: String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// Whether the address is a loopback address (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        address == "localhost" || address == "::1" || address.hasPrefix("127.")
    }
}

/// The transport a SIP message travelled over.
public enum TransportProtocol: String, Hashable, Sendable {
    case udp, tcp, tls, sctp, websocket
}
