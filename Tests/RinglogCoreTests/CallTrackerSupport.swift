import RinglogCore

/// Hand-written SIP traffic for tracker tests: a PBX, a trunk and three phones.
enum Net {
    static let pbx = TransportEndpoint(address: "10.0.0.1", port: 5060)
    static let trunk = TransportEndpoint(address: "192.0.2.1", port: 5060)
    static let phone1001 = TransportEndpoint(address: "10.0.0.11", port: 5060)
    static let phone1002 = TransportEndpoint(address: "10.0.0.12", port: 5060)
    static let phone1003 = TransportEndpoint(address: "10.0.0.13", port: 5060)

    static func site() throws -> SiteDescription {
        try SiteDescription(
            pbxAddresses: ["10.0.0.1:5060"], trunkAddresses: ["192.0.2.1"], extensionPattern: #"1\d{3}"#)
    }
}

/// One dialog's messages: the caller's From (with tag) and the callee's To.
struct Dialog {
    var callID: String
    var fromUser: String
    var fromTag = "ft"
    var toUser: String
    var cseq: UInt32 = 1

    var from: NameAddress { NameAddress(uri: "sip:\(fromUser)@pbx", tag: fromTag) }

    func invite(cseq: UInt32? = nil, requestUser: String? = nil, replaces: Replaces? = nil, referredBy: String? = nil)
        -> SIPMessage
    {
        SIPMessage(
            startLine: .request(method: "INVITE", uri: "sip:\(requestUser ?? toUser)@pbx"), callID: callID,
            cseqNumber: cseq ?? self.cseq, cseqMethod: "INVITE", from: from, to: NameAddress(uri: "sip:\(toUser)@pbx"),
            referredBy: referredBy.map { NameAddress(uri: "sip:\($0)@pbx") }, replaces: replaces)
    }

    func response(
        _ status: Int, toTag: String? = "tt", cseq: UInt32? = nil, method: String = "INVITE",
        contactUser: String? = nil, reasons: [String] = []
    ) -> SIPMessage {
        SIPMessage(
            startLine: .response(status: status, reason: "R"), callID: callID, cseqNumber: cseq ?? self.cseq,
            cseqMethod: method, from: from, to: NameAddress(uri: "sip:\(toUser)@pbx", tag: toTag),
            contact: contactUser.map { NameAddress(uri: "sip:\($0)@10.9.9.9") }, reasons: reasons)
    }

    /// A request inside the dialog, from the caller (or, with `fromCallee`, from the callee).
    func inDialog(
        _ method: String, cseq: UInt32 = 50, toTag: String = "tt", fromCallee: Bool = false, referTo: String? = nil,
        replaces: Replaces? = nil, reasons: [String] = []
    ) -> SIPMessage {
        let callerSide = from
        let calleeSide = NameAddress(uri: "sip:\(toUser)@pbx", tag: toTag)
        return SIPMessage(
            startLine: .request(method: method, uri: "sip:x@pbx"), callID: callID, cseqNumber: cseq,
            cseqMethod: method, from: fromCallee ? calleeSide : callerSide, to: fromCallee ? callerSide : calleeSide,
            referTo: referTo.map { NameAddress(uri: $0) }, replaces: replaces, reasons: reasons)
    }

    /// CANCEL of the initial INVITE (no To tag).
    func cancel(reasons: [String] = []) -> SIPMessage {
        SIPMessage(
            startLine: .request(method: "CANCEL", uri: "sip:\(toUser)@pbx"), callID: callID, cseqNumber: cseq,
            cseqMethod: "CANCEL", from: from, to: NameAddress(uri: "sip:\(toUser)@pbx"), reasons: reasons)
    }
}

/// Feeds a tracker and collects its records.
struct TrackerFeed {
    var tracker: CallTracker
    var records: [CallRecord] = []
    static let epoch: Int64 = 1_800_000_000

    init(site: SiteDescription?, configure: (inout CallTrackerConfiguration) -> Void = { _ in }) {
        var configuration = CallTrackerConfiguration(site: site)
        configure(&configuration)
        tracker = CallTracker(configuration: configuration)
    }

    static func time(_ seconds: Double) -> CaptureTime {
        CaptureTime(microsecondsSinceEpoch: (epoch * 1_000_000) + Int64((seconds * 1_000_000).rounded()))
    }

    mutating func send(
        _ message: SIPMessage, at seconds: Double, _ source: TransportEndpoint, _ destination: TransportEndpoint,
        correlation: String? = nil
    ) {
        let packet = CapturedPacket(
            timestamp: Self.time(seconds), source: source, destination: destination, transport: .udp, payload: [],
            correlationID: correlation)
        records += tracker.process(message, packet: packet)
    }

    /// A proxy at the PBX passes the message on: one copy in, one out.
    mutating func proxy(
        _ message: SIPMessage, at seconds: Double, _ source: TransportEndpoint, _ destination: TransportEndpoint
    ) {
        send(message, at: seconds, source, Net.pbx)
        send(message, at: seconds + 0.0005, Net.pbx, destination)
    }

    mutating func advance(to seconds: Double) { records += tracker.advance(to: Self.time(seconds)) }

    mutating func finish() -> [CallRecord] {
        records += tracker.finish()
        return records
    }
}
