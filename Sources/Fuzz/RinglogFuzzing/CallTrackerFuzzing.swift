import RinglogCore

/// Fuzzes the call tracker: one input is a program of tracker operations.
///
/// The first byte picks the configuration (a small open-dialog cap, with or without a site description); each
/// further operation builds a SIP request or response from small alphabets (methods, statuses, Call-IDs, tags,
/// numbers, addresses) so that messages meet in the same dialogs, or moves the clock. After every step the
/// tracker must keep at most `maximumOpenDialogs` dialogs open, and every record must be consistent: its own
/// Call-ID among its Call-IDs and, while the input's times never go backwards, start ≤ answer ≤ end.
public enum CallTrackerFuzzing {
    /// Runs one input.
    public static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        var program = TrackerProgram(bytes: input)
        guard let setup = program.byte() else { return }
        let site = setup & 0x80 != 0 ? TrackerProgram.site : nil
        let configuration = CallTrackerConfiguration(
            site: site, closingGraceSeconds: 4, unansweredTimeoutSeconds: 60, maximumCallAgeSeconds: 600,
            maximumOpenDialogs: Int(setup & 0x0f) + 1, legCorrelationWindowSeconds: 30, referWindowSeconds: 32)
        var tracker = CallTracker(configuration: configuration)
        var steps = 0
        while steps < 10_000, let step = program.nextStep() {
            steps += 1
            let records: [CallRecord]
            switch step {
            case .message(let message, let packet): records = tracker.process(message, packet: packet)
            case .advance(let time): records = tracker.advance(to: time)
            }
            try check(records, timesOrdered: !program.wentBackwards)
            try require(
                tracker.openDialogCount <= configuration.maximumOpenDialogs,
                "\(tracker.openDialogCount) dialogs open above the cap of \(configuration.maximumOpenDialogs)")
        }
        try check(tracker.finish(), timesOrdered: !program.wentBackwards)
        try require(tracker.openDialogCount == 0, "\(tracker.openDialogCount) dialogs left open after finish()")
    }

    /// Checks the invariants every record keeps.
    private static func check(_ records: [CallRecord], timesOrdered: Bool) throws(FuzzInvariantViolation) {
        for record in records {
            try require(record.callIDs.contains(record.callID), "record \(record.callID) misses its own Call-ID")
            try require(record.ringSeconds >= 0 && record.talkSeconds >= 0, "negative duration in \(record)")
            guard timesOrdered else { continue }
            if let answeredAt = record.answeredAt {
                try require(record.startedAt <= answeredAt, "answered before it started: \(record)")
                if let endedAt = record.endedAt {
                    try require(answeredAt <= endedAt, "ended before answered: \(record)")
                }
            }
            if let endedAt = record.endedAt {
                try require(record.startedAt <= endedAt, "ended before it started: \(record)")
            }
        }
    }
}

/// Reads the fuzzer's bytes as tracker operations.
private struct TrackerProgram {
    enum Step {
        case message(SIPMessage, CapturedPacket)
        case advance(CaptureTime)
    }

    static let site = try? SiteDescription(
        pbxAddresses: ["10.0.0.1:5060"], trunkAddresses: ["192.0.2.1"], extensionPattern: #"1\d{3}"#)
    static let methods = ["INVITE", "ACK", "BYE", "CANCEL", "REFER", "NOTIFY", "UPDATE", "PRACK", "OPTIONS", "INFO"]
    static let statuses = [100, 180, 181, 183, 200, 202, 302, 401, 404, 407, 480, 486, 487, 491, 500, 503, 603]
    static let callIDs = ["a", "b", "c", "d", "e", "f"]
    static let tags = ["t1", "t2", "t3"]
    static let users = ["1001", "1002", "1003", "+358401234567", "0401234567", "00358501234567", "anonymous", "600"]
    static let addresses = [
        TransportEndpoint(address: "10.0.0.1", port: 5060), TransportEndpoint(address: "192.0.2.1", port: 5060),
        TransportEndpoint(address: "10.0.0.11", port: 5060), TransportEndpoint(address: "10.0.0.12", port: 5060),
    ]
    static let directions: [SDPDirection?] = [nil, .sendrecv, .sendonly, .recvonly, .inactive]

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var time = CaptureTime(microsecondsSinceEpoch: 1_700_000_000_000_000)
    /// Whether some message was stamped earlier than one before it.
    var wentBackwards = false

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        index += 1
        return bytes[index - 1]
    }

    mutating func pick<Element>(_ options: [Element]) -> Element? {
        byte().map { options[Int($0) % options.count] }
    }

    mutating func nextStep() -> Step? {
        guard let operation = byte(), let timing = byte() else { return nil }
        // Most steps move forwards by up to 2.5 s; one in eight jumps by up to 40 minutes or steps back a little.
        var delta = Int64(timing) * 10_000
        if operation & 0x70 == 0x70 { delta = Int64(timing) * 10_000_000 }
        if operation & 0x70 == 0x60 && timing & 1 == 1 {
            delta = -Int64(timing) * 1_000
            wentBackwards = true
        }
        time = CaptureTime(microsecondsSinceEpoch: time.microsecondsSinceEpoch + delta)
        switch operation & 0x0f {
        case 0..<6: return request(flags: operation)
        case 6..<13: return response(flags: operation)
        default: return .advance(time)
        }
    }

    mutating func request(flags: UInt8) -> Step? {
        guard let method = pick(Self.methods), let dialog = dialog(), let cseq = byte() else { return nil }
        var message = SIPMessage(
            startLine: .request(method: method, uri: "sip:\(dialog.to.user ?? "x")@10.0.0.1"),
            callID: dialog.callID, cseqNumber: UInt32(cseq % 4) + 1, cseqMethod: method == "ACK" ? "INVITE" : method,
            from: dialog.from, to: dialog.to, topViaBranch: "z9hG4bK\(cseq % 3)")
        guard let extras = byte() else { return nil }
        if extras & 0x01 != 0, let user = pick(Self.users) {
            message.referTo = NameAddress(uri: "sip:\(user)@10.0.0.1")
        }
        if extras & 0x02 != 0, let callID = pick(Self.callIDs), let toTag = pick(Self.tags) {
            message.replaces = Replaces(callID: callID, toTag: toTag, fromTag: extras & 0x04 != 0 ? "t1" : nil)
        }
        if extras & 0x08 != 0, let user = pick(Self.users) {
            message.pAssertedIdentities = [NameAddress(displayName: "Caller", uri: "sip:\(user)@pbx")]
        }
        if extras & 0x10 != 0, let user = pick(Self.users) {
            message.referredBy = NameAddress(uri: "sip:\(user)@pbx")
            message.diversions = [NameAddress(uri: "sip:\(user)@pbx")]
        }
        return packet(message, extras: extras)
    }

    mutating func response(flags: UInt8) -> Step? {
        guard let status = pick(Self.statuses), let cseqMethod = pick(Self.methods), let dialog = dialog(),
            let cseq = byte(), let extras = byte()
        else { return nil }
        var message = SIPMessage(
            startLine: .response(status: status, reason: "Reason"), callID: dialog.callID,
            cseqNumber: UInt32(cseq % 4) + 1, cseqMethod: cseqMethod == "ACK" ? "INVITE" : cseqMethod,
            from: dialog.from, to: dialog.to, topViaBranch: "z9hG4bK\(cseq % 3)")
        if let user = pick(Self.users) { message.contact = NameAddress(uri: "sip:\(user)@10.0.0.11") }
        if extras & 0x01 != 0 { message.reasons = ["SIP;cause=200;text=\"Call completed elsewhere\""] }
        return packet(message, extras: extras)
    }

    mutating func dialog() -> (callID: String, from: NameAddress, to: NameAddress)? {
        guard let callID = pick(Self.callIDs), let fromTag = pick(Self.tags), let toTag = byte(),
            let fromUser = pick(Self.users), let toUser = pick(Self.users)
        else { return nil }
        let to = NameAddress(uri: "sip:\(toUser)@10.0.0.1", tag: toTag % 4 == 0 ? nil : Self.tags[Int(toTag % 3)])
        return (callID, NameAddress(uri: "sip:\(fromUser)@10.0.0.1", tag: fromTag), to)
    }

    mutating func packet(_ message: SIPMessage, extras: UInt8) -> Step? {
        var message = message
        guard let source = pick(Self.addresses), let destination = pick(Self.addresses),
            let direction = pick(Self.directions)
        else { return nil }
        message.sdpDirection = direction
        let packet = CapturedPacket(
            timestamp: time, source: source, destination: destination, transport: .udp, payload: [],
            correlationID: extras & 0x20 != 0 ? "corr-\(extras & 0x03)" : nil)
        return .message(message, packet)
    }
}
