/// Turns SIP messages into call records: a value-type state machine with no clock of its own.
///
/// Feed it every decoded message with its capture metadata (``process(_:packet:)``); it returns the records
/// of calls that ended (after a short grace period for late legs), in the order they ended. Time only moves
/// with the capture timestamps; ``finish()`` flushes everything at the end of the input.
///
/// Rules (see docs/replay.md for the whole list):
/// - one Call-ID is one dialog attempt; a 401/407 challenge and the re-sent INVITE (same Call-ID and From tag,
///   CSeq + 1) stay one call; copies of a message (a proxy's in and out copies, retransmissions) only add
///   facts that are already known, so they count once;
/// - the first 2xx to the initial INVITE answers the call; a failed re-INVITE changes nothing; with forks,
///   only responses and CANCELs on the caller's side decide;
/// - REFER transfers (blind and attended) and Replaces INVITEs join the new dialog to the call's record;
/// - with a ``SiteDescription``, a back-to-back PBX's legs join by HEP correlation id, else by numbers and
///   start times through the PBX's addresses;
/// - stale calls are evicted (`complete: false`), and the number of open dialogs is capped.
public struct CallTracker: Sendable {
    /// The configuration the tracker was created with.
    public let configuration: CallTrackerConfiguration

    private struct Group: Sendable {
        /// Tells this group from earlier ones in the same slot (closing-queue entries outlive their group).
        var serial: Int
        var legIDs: [String]
        var transfers: [CallTransfer] = []
        /// Its legs' times taken together, as of the last change to any of them (``updateClosing(_:)`` runs
        /// after every change); `nil` when none of its legs is open.
        var times: GroupTimes?
        /// When all its legs have ended: when, and whether nothing more can join it.
        var closing: Closing?
    }

    /// A group's legs taken together, for eviction: answered by any, last active and first started.
    private struct GroupTimes: Sendable {
        var answered: Bool
        var lastActivity: Int64
        var startedAt: Int64
    }

    private struct Referral: Sendable {
        var legID: String
        var at: CaptureTime
        var cseq: UInt32
        var referrerIsCaller: Bool
        var transfereeUser: String?
        var referrerUser: String?
        var targetUser: String?
        var target: String
        var replaces: Replaces?
        /// The transferee's dialog was found; kept so that the REFER's other copies are recognised.
        var consumed = false
    }

    /// Made once: a builder per record would copy the whole configuration (site, normaliser) each time.
    private let recordBuilder: CallRecordBuilder
    /// ``CallTrackerConfiguration/unansweredTimeoutSeconds`` and ``CallTrackerConfiguration/maximumCallAgeSeconds``
    /// in microseconds, read after every message.
    private let unansweredTimeout: Int64
    private let maximumCallAge: Int64
    private var legs = LegTable()
    /// The calls by group ID, which is the group's slot: a leg's group is found without hashing.
    private var groups = SlotTable<Group>()
    private var nextGroupSerial = 0
    /// The number of groups whose legs have all ended (`closing` is set).
    private var closingCount = 0
    private var closingQueue = ClosingQueue()
    private var referrals: [Referral] = []
    private var recentLegs: [RecentLeg] = []

    /// A leg in the list of recently started ones. (A struct, not a tuple: a list of tuples is destroyed
    /// through the runtime's generic code.)
    private struct RecentLeg: Sendable {
        var callID: String
        var startedAt: CaptureTime
    }
    private var recentStart = 0
    private var now: CaptureTime?
    private var lastSweep: CaptureTime?
    /// No open call can be stale before this capture time (microseconds): the earliest of the groups'
    /// ``staleDeadline(_:idle:maximumAge:)``, or earlier. ``updateClosing(_:)`` lowers it when a group's times
    /// change; a sweep that looks at every group sets it. The once-a-second sweep skips the groups while it is
    /// ahead.
    private var earliestStaleDeadline = Int64.min
    private var evicted: [(CaptureTime, CallRecord)] = []
    /// Call-IDs of calls closed before their whole grace, with the end of that grace (microseconds): their
    /// late copies (an ACK, a retransmitted BYE) are ignored instead of starting a new call.
    private var closedEarly: [String: Int64] = [:]

    /// A finished group's end and whether it is settled (see ``CallTrackerConfiguration/settledClosingGraceSeconds``).
    private struct Closing: Equatable, Sendable {
        var endedAt: CaptureTime
        var settled: Bool
    }

    /// Creates a tracker.
    public init(configuration: CallTrackerConfiguration = CallTrackerConfiguration()) {
        self.configuration = configuration
        recordBuilder = CallRecordBuilder(configuration: configuration)
        unansweredTimeout = Self.microseconds(configuration.unansweredTimeoutSeconds)
        maximumCallAge = Self.microseconds(configuration.maximumCallAgeSeconds)
    }

    /// The number of dialogs currently open.
    public var openDialogCount: Int { legs.count }

    /// When the next finished call is due to come out (its grace ends), if any: a live source wakes the
    /// tracker then with ``advance(to:)``. May be early (a call that reopened), never late.
    public var nextClosingDue: CaptureTime? {
        closingQueue.nextDue.map { CaptureTime(microsecondsSinceEpoch: $0) }
    }

    /// Takes one SIP message and returns the records of calls that are now complete.
    /// - Parameters:
    ///   - message: the decoded message.
    ///   - packet: its capture metadata (time, addresses, HEP correlation id); the payload is not read.
    public mutating func process(_ message: SIPMessage, packet: CapturedPacket) -> [CallRecord] {
        let time = packet.timestamp
        if now.map({ time > $0 }) ?? true { now = time }
        // Looked up once; the string is the open leg's own when there is one (no string made for the message).
        let callID = legs.remember(callIDOf: message)
        // An open leg's Call-ID is never in `closedEarly` (its entry goes before a leg of it can open, and one
        // is added only when its legs are removed): no string hashing for the messages of open calls.
        if !closedEarly.isEmpty, !legs.contains(callID), let graceEnd = closedEarly[callID] {
            if time.microsecondsSinceEpoch <= graceEnd { return advance(to: time) }
            closedEarly.removeValue(forKey: callID)
        }
        var touched: String?
        // The stored start line: the public one would make the Request-URI or reason phrase a string.
        switch message.lazyStartLine {
        case .request(let method, _):
            touched = handleRequest(method, callID, message, packet)
        case .response(let status, _):
            if message.cseqMethodIsInvite {
                touched = handleInviteResponse(status, callID, message, packet)
            } else if legs.update(callID, { $0.touch(time) }) != nil {
                touched = callID
            }
        }
        if let touched, let groupID = legs.update(touched, { $0.groupID }) { updateClosing(groupID) }
        return advance(to: time)
    }

    /// Moves the tracker's clock to `time` (never backwards) and returns the records that are due: calls
    /// whose grace period has passed, and stale calls evicted as incomplete.
    public mutating func advance(to time: CaptureTime) -> [CallRecord] {
        if now.map({ time > $0 }) ?? true { now = time }
        guard let now else { return [] }
        var records: [(CaptureTime, CallRecord)] = []
        if !evicted.isEmpty { swap(&records, &evicted) }
        while let due = closingQueue.popDue(now: now.microsecondsSinceEpoch) {
            // A stale entry: the call reopened, ended later, settled or unsettled since, or is gone.
            guard let group = groups[due.groupID], group.serial == due.serial,
                group.closing == Closing(endedAt: due.endedAt, settled: due.settled)
            else { continue }
            if due.settled {
                let legIDs = group.legIDs
                let graceEnd = due.endedAt.microsecondsSinceEpoch + Self.microseconds(configuration.closingGraceSeconds)
                for id in legIDs { closedEarly[id] = graceEnd }
            }
            if let record = removeGroup(due.groupID, complete: true) { records.append((due.endedAt, record)) }
        }
        if closingCount == 0 && !closingQueue.isEmpty { closingQueue.removeAll() }
        if lastSweep.map({ now.microsecondsSinceEpoch - $0.microsecondsSinceEpoch >= 1_000_000 }) ?? true {
            lastSweep = now
            if !closedEarly.isEmpty { closedEarly = closedEarly.filter { $0.value >= now.microsecondsSinceEpoch } }
            records += evictStale(now: now)
        }
        // Most messages end no call, and most of the others one: no sorting and no copying then.
        if records.isEmpty { return [] }
        if records.count == 1 { return [records.removeLast().1] }
        return records.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Ends the input: returns every remaining call, finished ones as complete and open ones as incomplete,
    /// in the order they ended (open ones by their last message).
    public mutating func finish() -> [CallRecord] {
        var records = evicted
        evicted.removeAll()
        for groupID in groups.occupiedSlots {
            let finishedAt = groups[groupID]?.closing?.endedAt
            let lastActivity = groupLastActivity(groupID)
            if let record = removeGroup(groupID, complete: finishedAt != nil) {
                records.append((finishedAt ?? lastActivity, record))
            }
        }
        referrals.removeAll()
        recentLegs.removeAll()
        recentStart = 0
        closedEarly.removeAll()
        return records.sorted { $0.0 < $1.0 }.map(\.1)
    }

    // MARK: Messages

    private mutating func handleRequest(
        _ method: String, _ callID: String, _ message: SIPMessage, _ packet: CapturedPacket
    ) -> String? {
        switch method {
        case "INVITE":
            guard !message.hasToTag else {
                // A re-INVITE (hold, T.38, session refresh, connected-line update): never a new call.
                return touch(callID, packet.timestamp)
            }
            let isNew = legs.update(callID, { $0.sawInitialInvite }) != true
            // Changed in place: a copy taken out of the table would copy its lists on the first append.
            let startedLeg = !legs.contains(callID)
            if startedLeg {
                let groupID = openGroup(for: callID, at: packet.timestamp)
                legs.open(callID: callID, groupID: groupID, message: message, at: packet.timestamp)
            }
            legs.update(callID) { $0.addInitialInvite(message, packet, startedLeg: startedLeg) }
            if isNew { linkNewLeg(callID, message, packet) }
            return callID
        case "CANCEL":
            guard legs.update(callID, { $0.addCancel(message, packet) }) != nil else { return nil }
            return callID
        case "BYE":
            guard legs.update(callID, { $0.addBye(message, packet) }) != nil else { return nil }
            return callID
        case "REFER":
            guard legs.update(callID, { $0.touch(packet.timestamp) }) != nil, let leg = legs[callID] else { return nil }
            if let referTo = message.referTo, message.toTag != nil { addReferral(leg, referTo, message, packet) }
            return callID
        default:
            return touch(callID, packet.timestamp)
        }
    }

    private mutating func handleInviteResponse(
        _ status: Int, _ callID: String, _ message: SIPMessage, _ packet: CapturedPacket
    ) -> String? {
        if let isInitial = legs.update(callID, { $0.isInitialInviteResponse(message) }) {
            if isInitial {
                legs.update(callID) { $0.addInitialInviteResponse(message, packet, status: status) }
            } else {
                legs.update(callID) { $0.touch(packet.timestamp) }
            }
            return callID
        }
        guard status >= 100 else { return nil }
        // A response whose INVITE copy has not arrived yet (copies are not strictly ordered): start the leg
        // from it; a leg that never sees its INVITE is a fragment of an older call and is not reported.
        let groupID = openGroup(for: callID, at: packet.timestamp)
        legs.open(callID: callID, groupID: groupID, message: message, at: packet.timestamp)
        legs.update(callID) { $0.addInitialInviteResponse(message, packet, status: status) }
        return callID
    }

    private mutating func touch(_ callID: String, _ time: CaptureTime) -> String? {
        guard legs.update(callID, { $0.touch(time) }) != nil else { return nil }
        return callID
    }

    /// Opens the call (group) of a new leg and lists the leg among the recent ones; returns the group ID.
    private mutating func openGroup(for callID: String, at time: CaptureTime) -> Int {
        if legs.count >= configuration.maximumOpenDialogs { evictOldest() }
        let groupID = groups.insert(Group(serial: nextGroupSerial, legIDs: [callID]))
        nextGroupSerial += 1
        pruneRecentLegs(before: time, droppingClosed: false)
        recentLegs.append(RecentLeg(callID: callID, startedAt: time))
        return groupID
    }

    // MARK: Transfers

    private mutating func addReferral(
        _ leg: CallLeg, _ referTo: NameAddress, _ message: SIPMessage, _ packet: CapturedPacket
    ) {
        if referrals.contains(where: { $0.legID == leg.callID && $0.cseq == message.cseqNumber }) { return }
        let cutoff = packet.timestamp.microsecondsSinceEpoch - Self.microseconds(configuration.referWindowSeconds)
        referrals.removeAll { $0.at.microsecondsSinceEpoch < cutoff }
        if referrals.count >= 1024 { referrals.removeFirst() }
        var referral = Referral(
            legID: leg.callID, at: packet.timestamp, cseq: message.cseqNumber,
            referrerIsCaller: leg.fromTag != nil && message.from.tag == leg.fromTag,
            transfereeUser: message.to.user, referrerUser: message.from.user, targetUser: referTo.user,
            target: referTo.uri, replaces: message.replaces)
        referral.consumed = linkEarlierLeg(to: referral)
        referrals.append(referral)
    }

    /// Joins a new dialog to an existing call: the transferee's INVITE after a REFER, an INVITE with
    /// Replaces (pickup, attended transfer), or, with a site, a back-to-back PBX's next leg.
    private mutating func linkNewLeg(_ callID: String, _ message: SIPMessage, _ packet: CapturedPacket) {
        // The leg is copied out of the table only where a whole leg is compared (a copy retains and releases
        // each of its strings and lists); most new legs need a few fields, read in place.
        guard legs.contains(callID) else { return }
        let time = packet.timestamp
        let window = Self.microseconds(configuration.referWindowSeconds)
        if !referrals.isEmpty, let leg = legs[callID],
            let index = referrals.lastIndex(where: { referral in
                !referral.consumed && time.microsecondsSinceEpoch - referral.at.microsecondsSinceEpoch <= window
                    && matches(referral, leg)
            })
        {
            referrals[index].consumed = true
            applyReferral(referrals[index], to: callID)
            return
        }
        if let replaces = message.replaces, replaces.callID != callID, legs.contains(replaces.callID) {
            let transfer = CallTransfer(
                kind: .replaces, at: time, fromCallID: replaces.callID, toCallID: callID, target: nil)
            legs.update(callID) { $0.isPickup = true }
            merge(callID, into: replaces.callID, transfer: transfer)
            return
        }
        guard let site = configuration.site else { return }
        if let correlation = legs.update(callID, { $0.correlationID }) ?? nil,
            let other = correlatedLeg(correlation, excluding: callID)
        {
            merge(callID, into: other, transfer: nil)
            return
        }
        // Only a leg that starts at the PBX can be a back-to-back PBX's next leg (see `backToBackLeg`).
        guard let firstSource = legs.update(callID, { $0.hops.first?.source }) ?? nil, site.isPBX(firstSource),
            let leg = legs[callID]
        else { return }
        if let other = backToBackLeg(for: leg, site: site) { merge(callID, into: other, transfer: nil) }
    }

    /// Whether `leg` is the transferee's new dialog that `referral` asked for: the same Replaces dialog
    /// (attended), or the Refer-To target dialled by the REFER's recipient (or with a Referred-By).
    private func matches(_ referral: Referral, _ leg: CallLeg) -> Bool {
        guard referral.legID != leg.callID, legs.contains(referral.legID), leg.sawInitialInvite else { return false }
        if let wanted = referral.replaces?.callID, let replaces = leg.replaces?.callID { return wanted == replaces }
        let dialled = leg.dialledUser
        guard let target = referral.targetUser, target == dialled || Self.sameNumber(target, dialled) else {
            return false
        }
        return referral.transfereeUser == leg.fromUser
            || (leg.referredBy != nil && leg.referredBy?.user == referral.referrerUser)
    }

    private mutating func applyReferral(_ referral: Referral, to callID: String) {
        if referral.referrerIsCaller { legs.update(referral.legID) { $0.callerTransferredAway = true } }
        let transfer = CallTransfer(
            kind: referral.replaces == nil ? .blind : .attended, at: referral.at, fromCallID: referral.legID,
            toCallID: callID, target: referral.target)
        merge(callID, into: referral.legID, transfer: transfer)
    }

    /// A REFER whose transferee INVITE was captured first (copies are not strictly ordered): join a dialog
    /// that started just before the REFER and is not part of another call yet.
    private mutating func linkEarlierLeg(to referral: Referral) -> Bool {
        let earliest = referral.at.microsecondsSinceEpoch - 2_000_000
        var index = recentLegs.count - 1
        while index >= recentStart {
            let candidateID = recentLegs[index].callID
            index -= 1
            guard let candidate = legs[candidateID], candidate.startedAt.microsecondsSinceEpoch >= earliest,
                groups[candidate.groupID]?.legIDs.count == 1, matches(referral, candidate)
            else { continue }
            applyReferral(referral, to: candidateID)
            return true
        }
        return false
    }

    private func correlatedLeg(_ correlation: String, excluding callID: String) -> String? {
        if correlation != callID, legs.contains(correlation) { return correlation }
        var index = recentLegs.count - 1
        while index >= recentStart {
            let candidate = recentLegs[index].callID
            if candidate != callID, let other = legs[candidate],
                other.correlationID == correlation || (other.correlationID == callID)
            {
                return candidate
            }
            index -= 1
        }
        return nil
    }

    /// A back-to-back PBX's earlier leg of the same call: the new leg starts at the PBX and carries the same
    /// caller (to a phone) or the same dialled number (to a trunk) as a leg that started shortly before.
    private func backToBackLeg(for leg: CallLeg, site: SiteDescription) -> String? {
        guard let first = leg.hops.first, site.isPBX(first.source) else { return nil }
        let towardTrunk = leg.hasCalleeEndpoint { site.isTrunk($0) }
        let window = Self.microseconds(configuration.legCorrelationWindowSeconds)
        let start = leg.startedAt.microsecondsSinceEpoch
        var index = recentLegs.count - 1
        while index >= recentStart {
            let candidateID = recentLegs[index].callID
            index -= 1
            guard candidateID != leg.callID, let other = legs[candidateID], other.sawInitialInvite,
                let otherFirst = other.hops.first, !site.isPBX(otherFirst.source),
                other.startedAt.microsecondsSinceEpoch <= start + 500_000,
                start - other.startedAt.microsecondsSinceEpoch <= window
            else { continue }
            if let ended = other.endedAt, ended.microsecondsSinceEpoch + 2_000_000 < start { continue }
            // To a phone: the same caller. To a trunk: the same dialled number, or, for a call the PBX
            // forwards out (it carries Diversion), the same caller.
            let matches =
                towardTrunk
                ? Self.sameNumber(leg.dialledUser, other.dialledUser)
                    || (!leg.diversions.isEmpty && Self.sameNumber(leg.callerUser, other.callerUser))
                : Self.sameNumber(leg.callerUser, other.callerUser)
            if matches { return candidateID }
        }
        return nil
    }

    /// Equal digits, or, without leading zeros, one ends with the other when both keep at least six digits:
    /// `0401234567`, `+358401234567` and `00358401234567` are the same number.
    static func sameNumber(_ first: String?, _ second: String?) -> Bool {
        guard let first, let second else { return false }
        let allA = first.filter { $0.isASCII && $0.isWholeNumber }
        let allB = second.filter { $0.isASCII && $0.isWholeNumber }
        guard allA.count >= 2, allB.count >= 2 else { return false }
        if allA == allB { return true }
        let a = allA.drop { $0 == "0" }
        let b = allB.drop { $0 == "0" }
        guard min(a.count, b.count) >= 6 else { return false }
        return a.hasSuffix(b) || b.hasSuffix(a)
    }

    private mutating func merge(_ callID: String, into otherID: String, transfer: CallTransfer?) {
        guard let leg = legs[callID], let other = legs[otherID] else { return }
        let from = leg.groupID
        let into = other.groupID
        guard from != into, let moving = removeGroupEntry(from) else {
            if let transfer { groups.update(into) { $0.transfers.append(transfer) } }
            return
        }
        for id in moving.legIDs { legs.update(id) { $0.groupID = into } }
        groups.update(into) { group in
            group.legIDs += moving.legIDs
            group.transfers += moving.transfers
            if let transfer { group.transfers.append(transfer) }
        }
        updateClosing(into)
    }

    // MARK: Closing and eviction

    /// Runs after every change to a leg of the group: keeps its end time (and closing entry) and its times
    /// for eviction up to date.
    private mutating func updateClosing(_ groupID: Int) {
        // Read in place: a copy of the group would retain and release its lists.
        guard let (legIDs, previous, serial) = groups.update(groupID, { ($0.legIDs, $0.closing, $0.serial) }) else {
            return
        }
        var latest: CaptureTime?
        var isOpen = false
        var times: GroupTimes?
        for id in legIDs {
            guard
                let (endedAt, legTimes) = legs.update(
                    id,
                    { leg in
                        (
                            leg.endedAt,
                            GroupTimes(
                                answered: leg.answer != nil, lastActivity: leg.lastActivity.microsecondsSinceEpoch,
                                startedAt: leg.startedAt.microsecondsSinceEpoch)
                        )
                    })
            else { continue }
            if var combined = times {
                combined.answered = combined.answered || legTimes.answered
                combined.lastActivity = max(combined.lastActivity, legTimes.lastActivity)
                combined.startedAt = min(combined.startedAt, legTimes.startedAt)
                times = combined
            } else {
                times = legTimes
            }
            guard !isOpen else { continue }
            guard let ended = endedAt else {
                isOpen = true
                continue
            }
            if latest.map({ ended > $0 }) ?? true { latest = ended }
        }
        // A group without open legs is stale at once (see evictStale(now:)).
        let deadline = times.map { Self.staleDeadline($0, idle: unansweredTimeout, maximumAge: maximumCallAge) } ?? .min
        if deadline < earliestStaleDeadline { earliestStaleDeadline = deadline }
        if isOpen {
            // The usual case, in one visit to the group: new times, and not closing (as setClosing(nil, of:)).
            groups.update(groupID) { group in
                group.times = times
                if group.closing != nil {
                    group.closing = nil
                    closingCount -= 1
                }
            }
            return
        }
        groups.update(groupID) { $0.times = times }
        guard let latest else { return }
        let settled =
            configuration.settledClosingGraceSeconds < configuration.closingGraceSeconds
            && isSettled(legIDs: legIDs, answered: times?.answered ?? false)
        let state = Closing(endedAt: latest, settled: settled)
        // A new entry when the end moved or the call settled or unsettled (a REFER came); the older entry is
        // then stale and skipped in advance(to:).
        guard previous != state else { return }
        setClosing(state, of: groupID)
        let grace = settled ? configuration.settledClosingGraceSeconds : configuration.closingGraceSeconds
        closingQueue.push(
            ClosingQueue.Entry(
                due: latest.microsecondsSinceEpoch + Self.microseconds(grace), groupID: groupID,
                serial: serial, endedAt: latest, settled: settled))
    }

    /// Sets or clears a group's closing state, keeping ``closingCount`` in step.
    private mutating func setClosing(_ state: Closing?, of groupID: Int) {
        groups.update(groupID) { group in
            if (group.closing == nil) != (state == nil) { closingCount += state == nil ? -1 : 1 }
            group.closing = state
        }
    }

    /// Takes a group out of the table (its legs stay), keeping ``closingCount`` in step; returns its lists.
    /// (Not the group itself: an optional group is destroyed through the runtime's generic code.)
    private mutating func removeGroupEntry(_ groupID: Int) -> (legIDs: [String], transfers: [CallTransfer])? {
        guard let group = groups.remove(groupID) else { return nil }
        if group.closing != nil { closingCount -= 1 }
        return (group.legIDs, group.transfers)
    }

    /// Whether nothing more can join a finished group: every leg hung up after its answer, or got a final
    /// answer that is not a challenge (whose re-sent INVITE would follow); no REFER of it still waits for its
    /// new dialog; and, with a site, it is not an unanswered call to a back-to-back PBX alone (the PBX's own
    /// legs to the phones or the trunk may still be on their way).
    private func isSettled(legIDs: [String], answered: Bool) -> Bool {
        for id in legIDs where legs.read(id, { $0.isSettled }) == false { return false }
        if referrals.contains(where: { !$0.consumed && legIDs.contains($0.legID) }) { return false }
        if let site = configuration.site, !answered, legIDs.count == 1,
            legs.read(legIDs[0], { leg in leg.hasCalleeEndpoint { site.isPBX($0) } }) == true
        {
            return false
        }
        return true
    }

    private func groupLastActivity(_ groupID: Int) -> CaptureTime {
        var latest = CaptureTime(microsecondsSinceEpoch: 0)
        for id in groups[groupID]?.legIDs ?? [] {
            if let lastActivity = legs.read(id, { $0.lastActivity }), lastActivity > latest { latest = lastActivity }
        }
        return latest
    }

    private mutating func evictStale(now: CaptureTime) -> [(CaptureTime, CallRecord)] {
        let idle = unansweredTimeout
        let maximumAge = maximumCallAge
        var stale: [Int] = []
        // Each group's times were gathered when its legs last changed: no Call-ID lookups per leg here.
        let current = now.microsecondsSinceEpoch
        if current > earliestStaleDeadline {
            var earliest = Int64.max
            groups.forEachInPlace { groupID, group in
                guard group.closing == nil else { return }
                guard let times = group.times else {
                    stale.append(groupID)
                    return
                }
                let deadline = Self.staleDeadline(times, idle: idle, maximumAge: maximumAge)
                if current > deadline {
                    stale.append(groupID)
                } else {
                    earliest = min(earliest, deadline)
                }
            }
            earliestStaleDeadline = earliest
        }
        var records: [(CaptureTime, CallRecord)] = []
        for groupID in stale {
            let lastActivity = groupLastActivity(groupID)
            if let record = removeGroup(groupID, complete: false) { records.append((lastActivity, record)) }
        }
        pruneRecentLegs(before: now, droppingClosed: true)
        return records
    }

    /// The capture time (microseconds) after which an open call with these times is stale: unanswered and
    /// idle for `idle`, or older than `maximumAge`.
    private static func staleDeadline(_ times: GroupTimes, idle: Int64, maximumAge: Int64) -> Int64 {
        let ageLimit = times.startedAt + maximumAge
        return times.answered ? ageLimit : min(times.lastActivity + idle, ageLimit)
    }

    /// Over the cap: evict the least recently active tenth of the calls as incomplete; their records come
    /// out with the next ``advance(to:)``.
    private mutating func evictOldest() {
        let target = configuration.maximumOpenDialogs - max(1, configuration.maximumOpenDialogs / 10)
        let order = groups.occupiedSlots.map { ($0, groupLastActivity($0)) }.sorted { $0.1 < $1.1 }
        for (groupID, lastActivity) in order {
            guard legs.count > target else { break }
            if let record = removeGroup(groupID, complete: false) { evicted.append((lastActivity, record)) }
        }
    }

    /// Drops the recent legs older than the correlation windows from the front, and with `droppingClosed`
    /// those whose legs have closed too. Closed entries only cost the scans that skip them (every reader
    /// looks the leg up), so a new leg drops old ones only, and the once-a-second sweep the closed ones
    /// (a lookup each).
    private mutating func pruneRecentLegs(before time: CaptureTime, droppingClosed: Bool) {
        let window = max(
            Self.microseconds(configuration.legCorrelationWindowSeconds),
            Self.microseconds(configuration.referWindowSeconds))
        while recentStart < recentLegs.count,
            time.microsecondsSinceEpoch - recentLegs[recentStart].startedAt.microsecondsSinceEpoch > window
                || (droppingClosed && !legs.contains(recentLegs[recentStart].callID))
        {
            recentStart += 1
        }
        // Bounded even when a long call pins the front: keep at most twice the open-dialog cap.
        let limit = 2 * configuration.maximumOpenDialogs
        if recentLegs.count - recentStart > limit { recentStart = recentLegs.count - limit }
        if recentStart > 1024 && recentStart * 2 > recentLegs.count {
            recentLegs.removeFirst(recentStart)
            recentStart = 0
        }
    }

    private mutating func removeGroup(_ groupID: Int, complete: Bool) -> CallRecord? {
        guard let group = removeGroupEntry(groupID) else { return nil }
        var members = group.legIDs.compactMap { legs.remove($0) }
        if !referrals.isEmpty { referrals.removeAll { referral in group.legIDs.contains(referral.legID) } }
        return recordBuilder.record(legs: &members, transfers: group.transfers, complete: complete)
    }

    static func microseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite else { return .max / 4 }
        return Int64(max(0, min(seconds, 1e9)) * 1_000_000)
    }
}
