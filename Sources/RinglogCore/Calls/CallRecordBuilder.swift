/// Builds one ``CallRecord`` from the legs the tracker joined into a call.
struct CallRecordBuilder {
    let configuration: CallTrackerConfiguration

    private enum Party {
        case pbx, trunk, phone, unknown
    }

    func record(legs unsorted: [CallLeg], transfers: [CallTransfer], complete: Bool) -> CallRecord? {
        // A group whose legs never showed an initial INVITE is a fragment of a call begun before the capture.
        let legs = unsorted.filter(\.sawInitialInvite).sorted { $0.startedAt < $1.startedAt }
        guard let first = legs.first else { return nil }
        let site = configuration.site
        let direction = direction(of: legs)

        // The leg that names the call and its parties.
        let primary: CallLeg
        var fromLeg: CallLeg
        var toLeg: CallLeg
        switch direction {
        case .inbound:
            primary = legs.first { party(of: $0.callerEndpoint) == .trunk } ?? first
            fromLeg = primary
            toLeg = primary
        case .outbound:
            let phoneLeg = legs.first { party(of: $0.callerEndpoint) == .phone && !$0.callerTransferredAway }
            let trunkLeg = legs.first { leg in leg.calleeEndpoints.contains { party(of: $0) == .trunk } }
            primary = phoneLeg ?? trunkLeg ?? first
            fromLeg = primary
            toLeg = trunkLeg ?? primary
        case .internal, .unknown:
            primary =
                legs.first { !$0.callerTransferredAway && party(of: $0.callerEndpoint) != .pbx }
                ?? legs.first { !$0.callerTransferredAway } ?? first
            fromLeg = primary
            toLeg = primary
        }
        if direction != .outbound && primary.callerTransferredAway,
            let next = legs.first(where: { !$0.callerTransferredAway })
        {
            fromLeg = next
            toLeg = next
        }

        // Who answered: for inbound calls a person (not the PBX's IVR), for outbound calls the far end.
        let answeredLegs = legs.filter { $0.answer != nil }
        var countedAnswers: [CallLeg]
        switch direction {
        case .inbound:
            let ringsPhones = legs.contains { leg in leg.calleeEndpoints.contains { party(of: $0) == .phone } }
            countedAnswers = answeredLegs.filter { leg in
                guard let answer = leg.answer else { return false }
                return leg.isPickup || answer.sources.contains { party(of: $0) == .phone || party(of: $0) == .unknown }
            }
            if countedAnswers.isEmpty && !ringsPhones { countedAnswers = answeredLegs }
        case .outbound:
            countedAnswers = answeredLegs.filter { leg in
                leg.answer?.sources.contains { party(of: $0) == .trunk } ?? false
            }
            if countedAnswers.isEmpty { countedAnswers = answeredLegs }
        case .internal, .unknown:
            countedAnswers = answeredLegs
        }
        let answeredAt = countedAnswers.compactMap { $0.answer?.at }.min()
        let lastAnswered = countedAnswers.max { ($0.answer?.at ?? $0.startedAt) < ($1.answer?.at ?? $1.startedAt) }

        let outcome: CallOutcome
        if answeredAt != nil {
            outcome = .answered
        } else if direction == .inbound && !answeredLegs.isEmpty {
            outcome = .missed  // the PBX answered (IVR, queue, voicemail) but no person did
        } else {
            outcome = primary.unansweredOutcome
        }

        // Click-to-call: the controller's leg to the extension (whose caller REFERred the extension to the
        // number) is not part of the extension's outbound call, which starts with the extension's own INVITE.
        let placingLegs = direction == .outbound ? legs.filter { !$0.callerTransferredAway } : legs
        let startedAt = (placingLegs.isEmpty ? legs : placingLegs).map(\.startedAt).min() ?? first.startedAt
        var endedAt: CaptureTime?
        if complete {
            endedAt = legs.compactMap(\.endedAt).max()
        }
        let lastSeen = legs.map(\.lastActivity).max() ?? startedAt
        let end = endedAt ?? lastSeen
        let ringSeconds = Self.tenths(max(0, startedAt.seconds(until: answeredAt ?? end)))
        let talkSeconds = Self.tenths(answeredAt.map { max(0, $0.seconds(until: end)) } ?? 0)

        var extensionNumber: String?
        if let site {
            switch direction {
            case .inbound:
                extensionNumber =
                    lastAnswered.flatMap { answeringExtension($0, site: site) } ?? rungExtension(legs, primary, site)
            case .outbound:
                // A call the PBX forwarded out (Diversion) belongs to the extension that forwarded it.
                extensionNumber =
                    fromLeg.caller.user.flatMap { site.extensionNumber(inUser: $0) }
                    ?? legs.lazy.compactMap { $0.diversions.first?.user }.compactMap {
                        site.extensionNumber(inUser: $0)
                    }
                    .first ?? fromLeg.caller.user
            case .internal:
                extensionNumber =
                    lastAnswered.flatMap { answeringExtension($0, site: site) }
                    ?? toLeg.calledUser.map { site.extensionNumber(inUser: $0) ?? $0 }
            case .unknown:
                extensionNumber = nil
            }
        }

        let fromNumber: String?
        let toNumber: String?
        switch direction {
        case .outbound:
            fromNumber = fromLeg.caller.user ?? fromLeg.callerUser
            toNumber = toLeg.dialledUser
        default:
            fromNumber = fromLeg.callerUser
            toNumber = toLeg.calledUser
        }

        return CallRecord(
            callID: primary.callID, direction: direction, from: fromNumber.map { normalized($0, site: site) },
            to: toNumber.map { normalized($0, site: site) }, extensionNumber: extensionNumber, startedAt: startedAt,
            answeredAt: answeredAt, endedAt: endedAt, ringSeconds: ringSeconds, talkSeconds: talkSeconds,
            outcome: outcome, complete: complete, callIDs: legs.map(\.callID),
            answeringURI: lastAnswered?.answer?.contact?.uri, transfers: transfers)
    }

    // MARK: Classification

    private func party(of endpoint: TransportEndpoint?) -> Party {
        // Asks the stored site in place: binding it to a constant would copy its lists for every endpoint.
        guard let endpoint, let isPBX = configuration.site?.isPBX(endpoint) else { return .unknown }
        if isPBX { return .pbx }
        if configuration.site?.isTrunk(endpoint) == true { return .trunk }
        return .phone
    }

    private func direction(of legs: [CallLeg]) -> CallDirection {
        guard let site = configuration.site, let first = legs.first else { return .unknown }
        if site.hasTrunks {
            if legs.contains(where: { party(of: $0.callerEndpoint) == .trunk }) { return .inbound }
            if legs.contains(where: { leg in leg.calleeEndpoints.contains { party(of: $0) == .trunk } }) {
                return .outbound
            }
            return .internal
        }
        // No trunk addresses: decide by whether the numbers are extensions.
        let leg = legs.first { !$0.callerTransferredAway } ?? first
        let fromExtension = leg.caller.user.flatMap { site.extensionNumber(inUser: $0) } != nil
        let toExtension = leg.calledUser.flatMap { site.extensionNumber(inUser: $0) } != nil
        switch (fromExtension, toExtension) {
        case (false, true): return .inbound
        case (true, false): return .outbound
        default: return .internal
        }
    }

    /// The extension that answered a leg: the answer's Contact user, the Request-URI the INVITE was sent to
    /// the answering device with, or the To user, whichever holds an extension number first.
    private func answeringExtension(_ leg: CallLeg, site: SiteDescription) -> String? {
        guard let answer = leg.answer else { return nil }
        if leg.isPickup { return leg.caller.user.flatMap { site.extensionNumber(inUser: $0) } }
        var candidates: [String] = []
        if let user = answer.contact?.user { candidates.append(user) }
        for hop in leg.hops where hop.destination == answer.source {
            if let user = NameAddress(uri: hop.requestURI).user { candidates.append(user) }
        }
        if let user = leg.callee.user { candidates.append(user) }
        if let user = leg.diversions.first?.user { candidates.append(user) }
        return candidates.lazy.compactMap { site.extensionNumber(inUser: $0) }.first
    }

    /// For an unanswered inbound call: the one extension that rang, else the number that was called (a ring
    /// group or the DID).
    private func rungExtension(_ legs: [CallLeg], _ primary: CallLeg, _ site: SiteDescription) -> String? {
        var rung: [String] = []
        for leg in legs {
            for hop in leg.hops where party(of: hop.destination) == .phone {
                if let user = NameAddress(uri: hop.requestURI).user, let number = site.extensionNumber(inUser: user),
                    !rung.contains(number)
                {
                    rung.append(number)
                }
            }
        }
        if rung.count == 1 { return rung[0] }
        return primary.calledUser.map { site.extensionNumber(inUser: $0) ?? $0 }
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
