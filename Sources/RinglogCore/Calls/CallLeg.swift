/// What the tracker has seen of one dialog attempt (one Call-ID): facts only, so that copies of the same
/// message (a proxy's in and out copies, retransmissions) and small reorderings change nothing. The call's
/// state is computed from these facts when needed.
struct CallLeg: Sendable {
    /// One copy of the initial INVITE: where it came from and went, and its Request-URI's user.
    struct Hop: Sendable, Equatable {
        var source: TransportEndpoint
        var destination: TransportEndpoint
        var requestUser: String?
    }

    /// A final response (≥ 300) to the initial INVITE, one per copy.
    struct FinalResponse: Sendable {
        var status: Int
        var cseq: UInt32
        var at: CaptureTime
        var source: TransportEndpoint
        var destination: TransportEndpoint
        var completedElsewhere: Bool
    }

    /// A CANCEL copy.
    struct Cancel: Sendable {
        var at: CaptureTime
        var source: TransportEndpoint
        var completedElsewhere: Bool
    }

    /// The first 2xx to the initial INVITE.
    struct Answer: Sendable {
        var at: CaptureTime
        var toTag: String?
        var contact: NameAddress?
        var source: TransportEndpoint
        /// The sources of every copy of 2xx responses (bounded), to tell who answered.
        var sources: [TransportEndpoint]
    }

    /// A BYE copy.
    struct Bye: Sendable {
        var at: CaptureTime
        var fromTag: String?
        var toTag: String?
    }

    static let listLimit = 16

    let callID: String
    var groupID: Int
    var fromTag: String?
    var sawInitialInvite = false
    var startedAt: CaptureTime
    var lastActivity: CaptureTime
    private(set) var initialCSeqs: [UInt32] = []
    /// The user of the initial INVITE's From URI (its URI is not kept: only numbers are read from it).
    var fromUser: String?
    /// The user of the initial INVITE's To URI.
    var toUser: String?
    /// The user of the first INVITE copy's Request-URI, once ``sawRequestURI``.
    var requestUser: String?
    var sawRequestURI = false
    var assertedCaller: NameAddress?
    var remoteParty: NameAddress?
    var diversions: [NameAddress] = []
    var correlationID: String?
    private(set) var hops: [Hop] = []
    var ringingAt: CaptureTime?
    private(set) var answer: Answer?
    private(set) var finals: [FinalResponse] = []
    private(set) var cancels: [Cancel] = []
    private(set) var byes: [Bye] = []
    /// The caller REFERred its callee elsewhere (click-to-call): the caller is not a party of the final call.
    var callerTransferredAway = false
    /// The leg joined its call with a Replaces header and no REFER (call pickup): its caller is the person
    /// who took the call.
    var isPickup = false
    /// The initial INVITE's Replaces header (attended transfer, pickup).
    var replaces: Replaces?
    /// The initial INVITE's Referred-By header.
    var referredBy: NameAddress?
    /// When the leg ended, or `nil` while it is open: an answered leg at the BYE that ended it
    /// (``endingByeIndex``), an unanswered one at its caller's CANCEL or its decisive final response, whichever
    /// came first. Kept by ``refreshEnd()`` after every fact that can change it (a copy of the initial INVITE, a
    /// 2xx or final response to it, a CANCEL, a BYE), because the tracker reads it after every message of the
    /// call.
    private(set) var endedAt: CaptureTime?
    /// Whether the leg's end is final: hung up after its answer, or a final answer to the INVITE that is not a
    /// 401/407 challenge (a CANCEL alone is not final: the 200 OK may have crossed it). Kept like ``endedAt``.
    private(set) var isSettled = false

    /// A leg with no facts yet; ``takeParties(of:)`` then reads its first message where the leg is stored.
    /// (Swift 6.3 compiles an initializer that stores optional strings into a struct this large as building
    /// the struct, copying it whole and destroying the original: a retain and a release of each reference.)
    @inline(__always)
    init(callID: String, groupID: Int, at time: CaptureTime) {
        self.callID = callID
        self.groupID = groupID
        startedAt = time
        lastActivity = time
    }

    /// Takes the From tag and the From and To users of the leg's first message.
    @inline(__always)
    mutating func takeParties(of message: SIPMessage) {
        fromTag = message.fromTag
        fromUser = message.fromUser
        toUser = message.toUser
    }

    // MARK: Facts

    mutating func touch(_ time: CaptureTime) {
        if time > lastActivity { lastActivity = time }
    }

    /// Adds a copy of the initial INVITE. `startedLeg`: the leg was just made from this message (see
    /// ``takeParties(of:)``), so its From and To are already stored and are not read again.
    mutating func addInitialInvite(_ message: SIPMessage, _ packet: CapturedPacket, startedLeg: Bool = false) {
        let time = packet.timestamp
        touch(time)
        if time < startedAt { startedAt = time }
        if !sawInitialInvite {
            sawInitialInvite = true
            if !startedLeg {
                fromUser = message.fromUser
                toUser = message.toUser
                fromTag = message.fromTag
            }
            assertedCaller = message.pAssertedIdentities.first { $0.user != nil }
            remoteParty = message.remotePartyID
            diversions = message.diversions
            replaces = message.replaces
            referredBy = message.referredBy
        }
        // A proxy adds Diversion (call forwarding) or P-Asserted-Identity only to the copy it sends on.
        if diversions.isEmpty && !message.diversions.isEmpty { diversions = message.diversions }
        if assertedCaller == nil { assertedCaller = message.pAssertedIdentities.first { $0.user != nil } }
        if !initialCSeqs.contains(message.cseqNumber), initialCSeqs.count < Self.listLimit {
            initialCSeqs.append(message.cseqNumber)
        }
        // Unwrapped first: copying an optional string goes through the runtime's generic code.
        if correlationID == nil, let packetCorrelation = packet.correlationID { correlationID = packetCorrelation }
        if case .some(let user) = message.requestURIUser {
            if !sawRequestURI {
                sawRequestURI = true
                requestUser = user
            }
            let hop = Hop(source: packet.source, destination: packet.destination, requestUser: user)
            if !hops.contains(hop), hops.count < Self.listLimit { hops.append(hop) }
        }
        refreshEnd()
    }

    /// Whether a response to an INVITE answers this leg's initial INVITE (not a re-INVITE).
    func isInitialInviteResponse(_ message: SIPMessage) -> Bool {
        guard message.fromTagEquals(fromTag) else { return false }
        return !sawInitialInvite || initialCSeqs.contains(message.cseqNumber)
    }

    mutating func addInitialInviteResponse(_ message: SIPMessage, _ packet: CapturedPacket, status: Int) {
        let time = packet.timestamp
        touch(time)
        if !sawInitialInvite && time < startedAt { startedAt = time }
        // Unwrapped first: copying an optional string goes through the runtime's generic code.
        if correlationID == nil, let packetCorrelation = packet.correlationID { correlationID = packetCorrelation }
        switch status {
        case 180..<200:
            if ringingAt.map({ time < $0 }) ?? true { ringingAt = time }
        case 200..<300:
            defer { refreshEnd() }
            // Changed in place: a copy taken out (`if var`) would copy its list of sources on the append.
            if answer != nil {
                if answer!.sources.count < Self.listLimit && !answer!.sources.contains(packet.source) {
                    answer!.sources.append(packet.source)
                }
                if time < answer!.at {
                    answer!.at = time
                    answer!.toTag = message.toTag
                    if let contact = message.contact { answer!.contact = contact }
                    answer!.source = packet.source
                }
            } else {
                answer = Answer(
                    at: time, toTag: message.toTag, contact: message.contact, source: packet.source,
                    sources: [packet.source])
            }
        case 300...:
            guard finals.count < Self.listLimit else { return }
            finals.append(
                FinalResponse(
                    status: status, cseq: message.cseqNumber, at: time, source: packet.source,
                    destination: packet.destination,
                    completedElsewhere: message.reasons.contains(where: Self.meansCompletedElsewhere)))
            refreshEnd()
        default:
            break
        }
    }

    mutating func addCancel(_ message: SIPMessage, _ packet: CapturedPacket) {
        touch(packet.timestamp)
        guard cancels.count < Self.listLimit else { return }
        cancels.append(
            Cancel(
                at: packet.timestamp, source: packet.source,
                completedElsewhere: message.reasons.contains(where: Self.meansCompletedElsewhere)))
        refreshEnd()
    }

    mutating func addBye(_ message: SIPMessage, _ packet: CapturedPacket) {
        touch(packet.timestamp)
        guard byes.count < Self.listLimit else { return }
        byes.append(Bye(at: packet.timestamp, fromTag: message.fromTag, toTag: message.toTag))
        refreshEnd()
    }

    /// Recomputes ``endedAt`` and ``isSettled`` after a fact they are derived from changed, finding the
    /// decisive final response and the caller's side once for both.
    private mutating func refreshEnd() {
        if answer != nil {
            let bye = endingByeIndex
            endedAt = bye.map { byes[$0].at }
            isSettled = bye != nil
            return
        }
        // A ringing leg (the usual case at its INVITE and provisional responses): nothing can have ended it.
        if finals.isEmpty && cancels.isEmpty {
            endedAt = nil
            isSettled = false
            return
        }
        let side = callerSide
        // By index: an optional copy of a response or CANCEL is destroyed through the runtime's generic code.
        let final = decisiveFinalIndex(side)
        endedAt = Self.unansweredEnd(
            cancel: callerCancelIndex(side).map { cancels[$0].at }, final: final.map { finals[$0].at })
        isSettled = final.map { finals[$0].status != 401 && finals[$0].status != 407 } ?? false
    }

    /// RFC 3326 `SIP;cause=200;text="Call completed elsewhere"`.
    static func meansCompletedElsewhere(_ reason: String) -> Bool {
        let lower = reason.lowercased()
        return lower.contains("completed elsewhere")
            || (lower.hasPrefix("sip") && (lower.contains("cause=200;") || lower.hasSuffix("cause=200")))
    }

    // MARK: Derived state

    /// Where the call came from: the source of an INVITE copy that no other copy was sent to.
    var callerEndpoint: TransportEndpoint? {
        // Loops over the (at most ``listLimit``) hops instead of mapped arrays: this runs for every message.
        for hop in hops where !hops.contains(where: { $0.destination == hop.source }) { return hop.source }
        return hops.first?.source
    }

    /// Whether `predicate` holds for an endpoint the INVITE went to: the destination of an INVITE copy that
    /// did not pass it on, or else the last copy's destination.
    func hasCalleeEndpoint(where predicate: (TransportEndpoint) -> Bool) -> Bool {
        var listed = false
        for hop in hops where !passesOn(hop.destination) {
            if predicate(hop.destination) { return true }
            listed = true
        }
        if !listed, let last = hops.last?.destination { return predicate(last) }
        return false
    }

    /// Whether the INVITE went to more than one endpoint (a proxy forked it; see ``hasCalleeEndpoint(where:)``).
    private var hasSeveralCalleeEndpoints: Bool {
        var first: TransportEndpoint?
        for hop in hops where !passesOn(hop.destination) {
            if let first {
                if first != hop.destination { return true }
            } else {
                first = hop.destination
            }
        }
        return false
    }

    /// Whether `endpoint` sent a copy of the INVITE on.
    private func passesOn(_ endpoint: TransportEndpoint) -> Bool { hops.contains { $0.source == endpoint } }

    /// Whether the INVITE went further than its first hop (a proxy forwarded it to a phone or trunk).
    var wasForwarded: Bool {
        guard let first = hops.first else { return false }
        return hops.contains { $0.source != first.source }
    }

    /// Whether responses and CANCELs must be the copies on the caller's side to count: when a proxy forked
    /// the INVITE, one branch's final response is not the call's.
    private var needsCallerSideCopies: Bool { !hops.isEmpty && hasSeveralCalleeEndpoints }

    /// Where the caller is, and whether only copies on its side count (see ``needsCallerSideCopies``).
    private var callerSide: (caller: TransportEndpoint?, strict: Bool) { (callerEndpoint, needsCallerSideCopies) }

    /// The index in ``finals`` of the final response that ends the leg: the first toward the caller
    /// (challenges only when not re-sent).
    private func decisiveFinalIndex(_ side: (caller: TransportEndpoint?, strict: Bool)) -> Int? {
        let (caller, strict) = side
        let newestCSeq = initialCSeqs.max()
        var best: Int?
        for index in finals.indices {
            if strict && finals[index].destination != caller { continue }
            if finals[index].status == 401 || finals[index].status == 407 {
                guard let newestCSeq, finals[index].cseq == newestCSeq else { continue }
            }
            if best.map({ finals[index].at < finals[$0].at }) ?? true { best = index }
        }
        return best
    }

    /// The index in ``cancels`` of the caller's CANCEL, when there is one.
    private func callerCancelIndex(_ side: (caller: TransportEndpoint?, strict: Bool)) -> Int? {
        let (caller, strict) = side
        var best: Int?
        for index in cancels.indices where !strict || cancels[index].source == caller {
            if best.map({ cancels[index].at < cancels[$0].at }) ?? true { best = index }
        }
        return best
    }

    /// The index in ``byes`` of the BYE that ended the answered dialog: the first one from the answer on (a BYE
    /// before the answer, e.g. for another dialog of the same Call-ID, cannot end it). An index, not a copy:
    /// an optional copy of a BYE is destroyed through the runtime's generic code.
    private var endingByeIndex: Int? {
        guard let answer else { return nil }
        var best: Int?
        for index in byes.indices where byes[index].at >= answer.at {
            let matches =
                answer.toTag == nil || fromTag == nil
                || ((byes[index].fromTag == fromTag || byes[index].toTag == fromTag)
                    && (byes[index].fromTag == answer.toTag || byes[index].toTag == answer.toTag))
            if matches && (best.map { byes[index].at < byes[$0].at } ?? true) { best = index }
        }
        return best
    }

    /// When an unanswered leg ended: at its caller's CANCEL or its decisive final response (their times),
    /// whichever came first; `nil` while neither came.
    private static func unansweredEnd(cancel: CaptureTime?, final: CaptureTime?) -> CaptureTime? {
        switch (cancel, final) {
        case (let cancel?, let final?): min(cancel, final)
        case (let cancel?, nil): cancel
        case (nil, let final?): final
        case (nil, nil): nil
        }
    }

    /// The outcome of this leg alone when it was not answered.
    var unansweredOutcome: CallOutcome {
        let side = callerSide
        let finalIndex = decisiveFinalIndex(side)
        if let cancelIndex = callerCancelIndex(side),
            finalIndex.map({ cancels[cancelIndex].at <= finals[$0].at || finals[$0].status == 487 }) ?? true
        {
            let elsewhere =
                cancels[cancelIndex].completedElsewhere || (finalIndex.map { finals[$0].completedElsewhere } ?? false)
            return elsewhere ? .answeredElsewhere : .missed
        }
        guard let finalIndex else { return .missed }
        if finals[finalIndex].completedElsewhere { return .answeredElsewhere }
        switch finals[finalIndex].status {
        case 486, 600: return .busy
        case 603: return .declined
        case 403: return ringingAt != nil || wasForwarded ? .declined : .failed
        case 408, 480, 487: return .missed
        default: return .failed
        }
    }

    // MARK: Numbers

    /// The calling number as the trust order has it: P-Asserted-Identity, Remote-Party-ID, From.
    var callerUser: String? { assertedCaller?.user ?? remoteParty?.user ?? fromUser }

    /// The called number: the To user, else the Request-URI user.
    var calledUser: String? { toUser ?? requestUser }

    /// The dialled number: the Request-URI user of the first copy, else the To user.
    var dialledUser: String? { requestUser ?? toUser }
}
