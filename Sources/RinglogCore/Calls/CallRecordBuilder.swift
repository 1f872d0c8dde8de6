/// Builds one ``CallRecord`` from the legs the tracker joined into a call.
struct CallRecordBuilder {
    let configuration: CallTrackerConfiguration

    private enum Party {
        case pbx, trunk, phone, unknown
    }

    /// The record of a call's legs, or `nil` when none of them saw an initial INVITE. The legs are filtered
    /// and sorted in place (the caller's array is its own: no copy of the legs is made).
    func record(legs: inout [CallLeg], transfers: [CallTransfer], complete: Bool) -> CallRecord? {
        // A group whose legs never showed an initial INVITE is a fragment of a call begun before the capture.
        // Legs are referred to by index from here on: binding one to a constant would copy it (a retain and a
        // release for each of its strings and lists), and most calls have one leg, which needs no sorting.
        if legs.count == 1 {
            guard legs[0].sawInitialInvite else { return nil }
        } else {
            legs = legs.filter(\.sawInitialInvite).sorted { $0.startedAt < $1.startedAt }
        }
        // Through the (unique) buffer: a leg's computed properties read through the array's subscript work on
        // a copy.
        return legs.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return record(legs: LegList(base: base, count: buffer.count), transfers: transfers, complete: complete)
        }
    }

    /// The record of legs that saw an initial INVITE, in the order they started (at least one).
    private func record(legs: LegList, transfers: [CallTransfer], complete: Bool) -> CallRecord {
        let site = configuration.site
        let (direction, trunkSideLeg) = direction(of: legs)

        // The leg that names the call and its parties.
        let primary: Int
        var fromLeg: Int
        var toLeg: Int
        switch direction {
        case .inbound:
            primary = trunkSideLeg ?? 0
            fromLeg = primary
            toLeg = primary
        case .outbound:
            let phoneLeg = Self.firstLeg(legs) { party(of: $0.callerEndpoint) == .phone && !$0.callerTransferredAway }
            let trunkLeg = trunkSideLeg
            primary = phoneLeg ?? trunkLeg ?? 0
            fromLeg = primary
            toLeg = trunkLeg ?? primary
        case .internal, .unknown:
            primary =
                Self.firstLeg(legs) { !$0.callerTransferredAway && party(of: $0.callerEndpoint) != .pbx }
                ?? Self.firstLeg(legs) { !$0.callerTransferredAway } ?? 0
            fromLeg = primary
            toLeg = primary
        }
        if direction != .outbound && legs[primary].callerTransferredAway,
            let next = Self.firstLeg(legs, where: { !$0.callerTransferredAway })
        {
            fromLeg = next
            toLeg = next
        }

        // Who answered: for inbound calls a person (not the PBX's IVR), for outbound calls the far end.
        let answeredLegs = legs.indices.filter { legs[$0].answer != nil }
        var countedAnswers: [Int]
        switch direction {
        case .inbound:
            let ringsPhones =
                Self.firstLeg(legs) { leg in leg.hasCalleeEndpoint { party(of: $0) == .phone } } != nil
            countedAnswers = answeredLegs.filter { index in
                guard let answer = legs[index].answer else { return false }
                return legs[index].isPickup
                    || answer.sources.contains { party(of: $0) == .phone || party(of: $0) == .unknown }
            }
            if countedAnswers.isEmpty && !ringsPhones { countedAnswers = answeredLegs }
        case .outbound:
            countedAnswers = answeredLegs.filter { index in
                legs[index].answer?.sources.contains { party(of: $0) == .trunk } ?? false
            }
            if countedAnswers.isEmpty { countedAnswers = answeredLegs }
        case .internal, .unknown:
            countedAnswers = answeredLegs
        }
        var answeredAt: CaptureTime?
        for index in countedAnswers {
            if let at = legs[index].answer?.at, answeredAt.map({ at < $0 }) ?? true { answeredAt = at }
        }
        let lastAnswered = countedAnswers.max {
            (legs[$0].answer?.at ?? legs[$0].startedAt) < (legs[$1].answer?.at ?? legs[$1].startedAt)
        }

        let outcome: CallOutcome
        if answeredAt != nil {
            outcome = .answered
        } else if direction == .inbound && !answeredLegs.isEmpty {
            outcome = .missed  // the PBX answered (IVR, queue, voicemail) but no person did
        } else {
            outcome = legs.read(primary) { $0.unansweredOutcome }
        }

        // Click-to-call: the controller's leg to the extension (whose caller REFERred the extension to the
        // number) is not part of the extension's outbound call, which starts with the extension's own INVITE.
        var startedAt = legs[0].startedAt
        var placingStart: CaptureTime?
        var endedAt: CaptureTime?
        var lastSeen = legs[0].lastActivity
        // By index: `for leg in legs` would copy each leg.
        for index in legs.indices {
            let legStart = legs[index].startedAt
            if legStart < startedAt { startedAt = legStart }
            if direction == .outbound && !legs[index].callerTransferredAway
                && placingStart.map({ legStart < $0 }) ?? true
            {
                placingStart = legStart
            }
            if complete, let ended = legs[index].endedAt, endedAt.map({ ended > $0 }) ?? true { endedAt = ended }
            if legs[index].lastActivity > lastSeen { lastSeen = legs[index].lastActivity }
        }
        if let placingStart { startedAt = placingStart }
        let end = endedAt ?? lastSeen
        let ringSeconds = Self.tenths(max(0, startedAt.seconds(until: answeredAt ?? end)))
        let talkSeconds = Self.tenths(answeredAt.map { max(0, $0.seconds(until: end)) } ?? 0)

        var extensionNumber: String?
        if let site {
            switch direction {
            case .inbound:
                extensionNumber =
                    lastAnswered.flatMap { answeringExtension(legs, $0, site: site) }
                    ?? rungExtension(legs, primary, site)
            case .outbound:
                // A call the PBX forwarded out (Diversion) belongs to the extension that forwarded it.
                extensionNumber =
                    legs[fromLeg].fromUser.flatMap { site.extensionNumber(inUser: $0) }
                    ?? firstDiversionExtension(legs, site: site) ?? legs[fromLeg].fromUser
            case .internal:
                extensionNumber =
                    lastAnswered.flatMap { answeringExtension(legs, $0, site: site) }
                    ?? legs.read(toLeg) { $0.calledUser }.map { site.extensionNumber(inUser: $0) ?? $0 }
            case .unknown:
                extensionNumber = nil
            }
        }

        let fromNumber: String?
        let toNumber: String?
        switch direction {
        case .outbound:
            fromNumber = legs[fromLeg].fromUser ?? legs.read(fromLeg) { $0.callerUser }
            toNumber = legs.read(toLeg) { $0.dialledUser }
        default:
            fromNumber = legs.read(fromLeg) { $0.callerUser }
            toNumber = legs.read(toLeg) { $0.calledUser }
        }

        return CallRecord(
            callID: legs[primary].callID, direction: direction, from: fromNumber.map { normalized($0, site: site) },
            to: toNumber.map { normalized($0, site: site) }, extensionNumber: extensionNumber, startedAt: startedAt,
            answeredAt: answeredAt, endedAt: endedAt, ringSeconds: ringSeconds, talkSeconds: talkSeconds,
            outcome: outcome, complete: complete, callIDs: legs.indices.map { legs[$0].callID },
            answeringURI: lastAnswered.flatMap { legs[$0].answer?.contact?.uri }, transfers: transfers)
    }

    /// The index of the first leg that satisfies `predicate`. Each leg is lent in place: `firstIndex(where:)`
    /// and `contains(where:)` hand the predicate a copy (a retain and a release of each of its strings and lists).
    /// The extension in the first Diversion of the first leg that has one naming an extension.
    private func firstDiversionExtension(_ legs: LegList, site: SiteDescription) -> String? {
        for index in legs.indices {
            if let user = legs[index].diversions.first?.user, let number = site.extensionNumber(inUser: user) {
                return number
            }
        }
        return nil
    }

    private static func firstLeg(_ legs: LegList, where predicate: (inout CallLeg) -> Bool) -> Int? {
        for index in legs.indices where legs.read(index, predicate) { return index }
        return nil
    }

    // MARK: Classification

    private func party(of endpoint: TransportEndpoint?) -> Party {
        // Asks the stored site in place: binding it to a constant would copy its lists for every endpoint.
        guard let endpoint, let isPBX = configuration.site?.isPBX(endpoint) else { return .unknown }
        if isPBX { return .pbx }
        if configuration.site?.isTrunk(endpoint) == true { return .trunk }
        return .phone
    }

    /// The call's direction, and the leg that decided it by a trunk address: for an inbound call the first leg
    /// a trunk called, for an outbound one the first leg that called a trunk (`nil` otherwise).
    private func direction(of legs: LegList) -> (CallDirection, trunkSideLeg: Int?) {
        guard let site = configuration.site, !legs.isEmpty else { return (.unknown, nil) }
        if site.hasTrunks {
            if let leg = Self.firstLeg(legs, where: { party(of: $0.callerEndpoint) == .trunk }) {
                return (.inbound, leg)
            }
            if let leg = Self.firstLeg(legs, where: { leg in leg.hasCalleeEndpoint { party(of: $0) == .trunk } }) {
                return (.outbound, leg)
            }
            return (.internal, nil)
        }
        // No trunk addresses: decide by whether the numbers are extensions.
        let leg = Self.firstLeg(legs) { !$0.callerTransferredAway } ?? 0
        let fromExtension = legs[leg].fromUser.flatMap { site.extensionNumber(inUser: $0) } != nil
        let toExtension = legs.read(leg) { $0.calledUser }.flatMap { site.extensionNumber(inUser: $0) } != nil
        switch (fromExtension, toExtension) {
        case (false, true): return (.inbound, nil)
        case (true, false): return (.outbound, nil)
        default: return (.internal, nil)
        }
    }

    /// The extension that answered a leg: the answer's Contact user, the Request-URI the INVITE was sent to
    /// the answering device with, or the To user, whichever holds an extension number first.
    private func answeringExtension(_ legs: LegList, _ index: Int, site: SiteDescription)
        -> String?
    {
        // Read in place (`legs[index]`): a leg bound to a constant is a copy.
        guard let answer = legs[index].answer else { return nil }
        if legs[index].isPickup { return legs[index].fromUser.flatMap { site.extensionNumber(inUser: $0) } }
        // The first of these users that is an extension, in this order (tried one by one: no list is made).
        if let user = answer.contact?.user, let number = site.extensionNumber(inUser: user) { return number }
        for hop in legs[index].hops where hop.destination == answer.source {
            if let user = hop.requestUser, let number = site.extensionNumber(inUser: user) {
                return number
            }
        }
        if let user = legs[index].toUser, let number = site.extensionNumber(inUser: user) { return number }
        if let user = legs[index].diversions.first?.user { return site.extensionNumber(inUser: user) }
        return nil
    }

    /// For an unanswered inbound call: the one extension that rang, else the number that was called (a ring
    /// group or the DID).
    private func rungExtension(_ legs: LegList, _ primary: Int, _ site: SiteDescription)
        -> String?
    {
        var rung: [String] = []
        for index in legs.indices {
            for hop in legs[index].hops where party(of: hop.destination) == .phone {
                if let user = hop.requestUser, let number = site.extensionNumber(inUser: user),
                    !rung.contains(number)
                {
                    rung.append(number)
                }
            }
        }
        if rung.count == 1 { return rung[0] }
        return legs.read(primary) { $0.calledUser }.map { site.extensionNumber(inUser: $0) ?? $0 }
    }

    /// E.164 where the number normalises, else the user part as seen; an extension number stays as it is.
    private func normalized(_ raw: String, site: SiteDescription?) -> String {
        // The caller's copy of the site: reading `configuration.site` here would copy it for every number.
        if site?.isExtensionNumber(raw) == true { return raw }
        return configuration.normalizer.e164(raw) ?? raw
    }

    /// Seconds rounded to one decimal, as the record reports them.
    static func tenths(_ seconds: Double) -> Double { (seconds * 10).rounded() / 10 }
}

/// A call's legs, read in place. A computed property of a leg read through a buffer's or a pointer's
/// subscript is read from a copy of the leg (a retain and a release for each of its strings and lists);
/// through ``read(_:_:)`` it is read from the stored leg, as from an `inout` parameter.
private struct LegList {
    let base: UnsafeMutablePointer<CallLeg>
    let count: Int

    var isEmpty: Bool { count == 0 }
    var indices: Range<Int> { 0..<count }

    /// For stored properties, which are read without a copy.
    subscript(index: Int) -> CallLeg {
        unsafeAddress { UnsafePointer(base + index) }
    }

    /// For computed properties.
    func read<Result>(_ index: Int, _ body: (inout CallLeg) -> Result) -> Result {
        body(&(base + index).pointee)
    }
}
