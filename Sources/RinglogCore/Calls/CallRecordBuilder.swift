/// Builds one ``CallRecord`` from the legs the tracker joined into a call.
struct CallRecordBuilder {
    let configuration: CallTrackerConfiguration

    private enum Party {
        case pbx, trunk, phone, unknown
    }

    func record(legs unsorted: [CallLeg], transfers: [CallTransfer], complete: Bool) -> CallRecord? {
        // A group whose legs never showed an initial INVITE is a fragment of a call begun before the capture.
        // Legs are referred to by index from here on: binding one to a constant would copy it (a retain and a
        // release for each of its strings and lists), and most calls have one leg, which needs no sorting.
        let legs: [CallLeg]
        if unsorted.count == 1 {
            legs = unsorted[0].sawInitialInvite ? unsorted : []
        } else {
            legs = unsorted.filter(\.sawInitialInvite).sorted { $0.startedAt < $1.startedAt }
        }
        guard !legs.isEmpty else { return nil }
        // Through the buffer: a leg's computed properties called through the array's subscript work on a copy.
        return legs.withUnsafeBufferPointer { record(legs: $0, transfers: transfers, complete: complete) }
    }

    /// The record of legs that saw an initial INVITE, in the order they started (at least one).
    private func record(legs: UnsafeBufferPointer<CallLeg>, transfers: [CallTransfer], complete: Bool) -> CallRecord {
        let site = configuration.site
        let direction = direction(of: legs)

        // The leg that names the call and its parties.
        let primary: Int
        var fromLeg: Int
        var toLeg: Int
        switch direction {
        case .inbound:
            primary = Self.firstLeg(legs) { party(of: $0.callerEndpoint) == .trunk } ?? 0
            fromLeg = primary
            toLeg = primary
        case .outbound:
            let phoneLeg = Self.firstLeg(legs) { party(of: $0.callerEndpoint) == .phone && !$0.callerTransferredAway }
            let trunkLeg = Self.firstLeg(legs) { leg in leg.calleeEndpoints.contains { party(of: $0) == .trunk } }
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
                Self.firstLeg(legs) { leg in leg.calleeEndpoints.contains { party(of: $0) == .phone } } != nil
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
        let answeredAt = countedAnswers.compactMap { legs[$0].answer?.at }.min()
        let lastAnswered = countedAnswers.max {
            (legs[$0].answer?.at ?? legs[$0].startedAt) < (legs[$1].answer?.at ?? legs[$1].startedAt)
        }

        let outcome: CallOutcome
        if answeredAt != nil {
            outcome = .answered
        } else if direction == .inbound && !answeredLegs.isEmpty {
            outcome = .missed  // the PBX answered (IVR, queue, voicemail) but no person did
        } else {
            outcome = legs[primary].unansweredOutcome
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
                    legs[fromLeg].caller.user.flatMap { site.extensionNumber(inUser: $0) }
                    ?? legs.lazy.compactMap { $0.diversions.first?.user }.compactMap {
                        site.extensionNumber(inUser: $0)
                    }
                    .first ?? legs[fromLeg].caller.user
            case .internal:
                extensionNumber =
                    lastAnswered.flatMap { answeringExtension(legs, $0, site: site) }
                    ?? legs[toLeg].calledUser.map { site.extensionNumber(inUser: $0) ?? $0 }
            case .unknown:
                extensionNumber = nil
            }
        }

        let fromNumber: String?
        let toNumber: String?
        switch direction {
        case .outbound:
            fromNumber = legs[fromLeg].caller.user ?? legs[fromLeg].callerUser
            toNumber = legs[toLeg].dialledUser
        default:
            fromNumber = legs[fromLeg].callerUser
            toNumber = legs[toLeg].calledUser
        }

        return CallRecord(
            callID: legs[primary].callID, direction: direction, from: fromNumber.map { normalized($0, site: site) },
            to: toNumber.map { normalized($0, site: site) }, extensionNumber: extensionNumber, startedAt: startedAt,
            answeredAt: answeredAt, endedAt: endedAt, ringSeconds: ringSeconds, talkSeconds: talkSeconds,
            outcome: outcome, complete: complete, callIDs: legs.map(\.callID),
            answeringURI: lastAnswered.flatMap { legs[$0].answer?.contact?.uri }, transfers: transfers)
    }

    /// The index of the first leg that satisfies `predicate`. Each leg is lent in place: `firstIndex(where:)`
    /// and `contains(where:)` hand the predicate a copy (a retain and a release of each of its strings and lists).
    private static func firstLeg(_ legs: UnsafeBufferPointer<CallLeg>, where predicate: (borrowing CallLeg) -> Bool)
        -> Int?
    {
        for index in legs.indices where predicate(legs[index]) { return index }
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

    private func direction(of legs: UnsafeBufferPointer<CallLeg>) -> CallDirection {
        guard let site = configuration.site, !legs.isEmpty else { return .unknown }
        if site.hasTrunks {
            if Self.firstLeg(legs, where: { party(of: $0.callerEndpoint) == .trunk }) != nil { return .inbound }
            if Self.firstLeg(legs, where: { leg in leg.calleeEndpoints.contains { party(of: $0) == .trunk } }) != nil {
                return .outbound
            }
            return .internal
        }
        // No trunk addresses: decide by whether the numbers are extensions.
        let leg = Self.firstLeg(legs) { !$0.callerTransferredAway } ?? 0
        let fromExtension = legs[leg].caller.user.flatMap { site.extensionNumber(inUser: $0) } != nil
        let toExtension = legs[leg].calledUser.flatMap { site.extensionNumber(inUser: $0) } != nil
        switch (fromExtension, toExtension) {
        case (false, true): return .inbound
        case (true, false): return .outbound
        default: return .internal
        }
    }

    /// The extension that answered a leg: the answer's Contact user, the Request-URI the INVITE was sent to
    /// the answering device with, or the To user, whichever holds an extension number first.
    private func answeringExtension(_ legs: UnsafeBufferPointer<CallLeg>, _ index: Int, site: SiteDescription)
        -> String?
    {
        // Read in place (`legs[index]`): a leg bound to a constant is a copy.
        guard let answer = legs[index].answer else { return nil }
        if legs[index].isPickup { return legs[index].caller.user.flatMap { site.extensionNumber(inUser: $0) } }
        var candidates: [String] = []
        if let user = answer.contact?.user { candidates.append(user) }
        for hop in legs[index].hops where hop.destination == answer.source {
            if let user = NameAddress(uri: hop.requestURI).user { candidates.append(user) }
        }
        if let user = legs[index].callee.user { candidates.append(user) }
        if let user = legs[index].diversions.first?.user { candidates.append(user) }
        return candidates.lazy.compactMap { site.extensionNumber(inUser: $0) }.first
    }

    /// For an unanswered inbound call: the one extension that rang, else the number that was called (a ring
    /// group or the DID).
    private func rungExtension(_ legs: UnsafeBufferPointer<CallLeg>, _ primary: Int, _ site: SiteDescription)
        -> String?
    {
        var rung: [String] = []
        for index in legs.indices {
            for hop in legs[index].hops where party(of: hop.destination) == .phone {
                if let user = NameAddress(uri: hop.requestURI).user, let number = site.extensionNumber(inUser: user),
                    !rung.contains(number)
                {
                    rung.append(number)
                }
            }
        }
        if rung.count == 1 { return rung[0] }
        return legs[primary].calledUser.map { site.extensionNumber(inUser: $0) ?? $0 }
    }

    /// E.164 where the number normalises, else the user part as seen; an extension number stays as it is.
    private func normalized(_ raw: String, site: SiteDescription?) -> String {
        // The caller's copy of the site: reading `configuration.site` here would copy it for every number.
        if site?.extensionNumber(inUser: raw) == raw { return raw }
        return configuration.normalizer.normalize(raw)?.e164 ?? raw
    }

    /// Seconds rounded to one decimal, as the record reports them.
    static func tenths(_ seconds: Double) -> Double { (seconds * 10).rounded() / 10 }
}
