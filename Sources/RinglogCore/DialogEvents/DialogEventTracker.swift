/// Turns the dialog-info documents of watched extensions into ``CallRecord``s, the records the HEP call
/// tracker makes: pure, no I/O, time passed in.
///
/// Times are when ringlog received the NOTIFY that showed a change, not when the PBX saw the SIP message:
/// precise to the PBX's publishing delay. `callIDs` holds the one Call-ID (or `dialog:EXTENSION:ID` when
/// the PBX sends none); `answeringURI` and `transfers` stay empty, dialog events do not tell them.
///
/// Each NOTIFY body is handed to ``observe(_:extension:at:)`` with the time it arrived. Dialogs are keyed
/// by Call-ID when the PBX sends one, so a call that several watched extensions report (an internal call,
/// a ring group) becomes one record; without a Call-ID each extension's dialog is its own call. A call is
/// closed when every extension's dialog of it is `terminated`, or has left a `full` document.
///
/// Dialogs first seen already `terminated` are ignored (they ended before ringlog watched, or linger in
/// later full documents as Kamailio's do for 10-20 s), and so are calls whose remote party is one of the
/// ``Configuration/ignoredRemoteUsers`` (ringlog's own click-to-call legs).
public struct DialogEventTracker: Sendable {
    /// What the tracker needs to know about the site.
    public struct Configuration: Sendable {
        /// A regular expression matching a whole internal extension (e.g. `1\d{3}`).
        public var extensionPattern: String?
        /// The extensions ringlog subscribes to: internal too.
        public var watchedExtensions: Set<String>
        /// Remote user parts whose calls are not logged (ringlog's own SIP account).
        public var ignoredRemoteUsers: Set<String>
        /// Normalises outside numbers for `from` and `to`.
        public var normalizer: PhoneNumberNormalizer
        /// An open call older than this is closed as incomplete by ``evictStale(at:)``.
        public var maximumCallAgeSeconds: Int
        /// At most this many calls are open; the oldest is closed as incomplete beyond it.
        public var maximumOpenCalls: Int

        /// Creates a configuration.
        public init(
            extensionPattern: String? = nil, watchedExtensions: Set<String> = [], ignoredRemoteUsers: Set<String> = [],
            normalizer: PhoneNumberNormalizer = PhoneNumberNormalizer(), maximumCallAgeSeconds: Int = 14_400,
            maximumOpenCalls: Int = 100_000
        ) {
            self.extensionPattern = extensionPattern
            self.watchedExtensions = watchedExtensions
            self.ignoredRemoteUsers = ignoredRemoteUsers
            self.normalizer = normalizer
            self.maximumCallAgeSeconds = maximumCallAgeSeconds
            self.maximumOpenCalls = maximumOpenCalls
        }
    }

    /// One extension's view of a call.
    private struct Leg: Sendable {
        var extensionNumber: String
        var direction: DialogInfoDirection?
        var remoteUser: String?
        var localUser: String?
        var firstSeen: CaptureTime
        var answeredAt: CaptureTime?
        var endedAt: CaptureTime?
        var stateEvent: String?
        var stateCode: Int?
    }

    private struct OpenCall: Sendable {
        var key: String
        var callID: String?
        var legs: [String: Leg]
        var startedAt: CaptureTime
    }

    private let configuration: Configuration
    /// `configuration.extensionPattern` compiled once; `nil` without a pattern or when it does not compile
    /// (the configuration loader rejects such a pattern before a tracker is made).
    private let extensionMatcher: ExtensionPattern?
    private var calls: [String: OpenCall] = [:]
    private var lastVersion: [String: Int] = [:]
    /// Keys of closed calls, so lingering `terminated` entries do not reopen them; bounded FIFO.
    private var finishedKeys: Set<String> = []
    private var finishedOrder: [String] = []
    private static let finishedMemory = 10_000

    /// Creates a tracker.
    public init(configuration: Configuration) {
        self.configuration = configuration
        extensionMatcher = configuration.extensionPattern.flatMap { try? ExtensionPattern($0) }
    }

    /// How many calls are open.
    public var openCallCount: Int { calls.count }

    /// Forgets the last document version of `extension`: call it when its subscription starts again
    /// (a new subscription counts from 0).
    public mutating func subscriptionRestarted(extension extensionNumber: String) {
        lastVersion[extensionNumber] = nil
    }

    /// Takes one dialog-info document of `extension`, received at `time`; returns the calls it closed.
    /// A document whose version is not newer than the last one seen for the extension is ignored.
    public mutating func observe(_ info: DialogInfo, extension extensionNumber: String, at time: CaptureTime)
        -> [CallRecord]
    {
        if let version = info.version {
            if let last = lastVersion[extensionNumber], version <= last { return [] }
            lastVersion[extensionNumber] = version
        }
        var touched: Set<String> = []
        var listed: Set<String> = []
        for dialog in info.dialogs {
            let key = dialog.callID.map { "call:\($0)" } ?? "dialog:\(extensionNumber):\(dialog.id)"
            listed.insert(key)
            guard !finishedKeys.contains(key) else { continue }
            if calls[key]?.legs[extensionNumber] == nil, dialog.state.isFinal { continue }
            var call =
                calls[key]
                ?? OpenCall(
                    key: key, callID: dialog.callID ?? "dialog:\(extensionNumber):\(dialog.id)", legs: [:],
                    startedAt: time)
            var leg =
                call.legs[extensionNumber]
                ?? Leg(extensionNumber: extensionNumber, direction: nil, firstSeen: time)
            leg.direction = dialog.direction ?? leg.direction
            leg.remoteUser = dialog.remote?.userPart ?? leg.remoteUser
            leg.localUser = dialog.local?.userPart ?? leg.localUser
            switch dialog.state {
            case .confirmed:
                if leg.answeredAt == nil { leg.answeredAt = time }
            case .terminated:
                if leg.endedAt == nil {
                    leg.endedAt = time
                    leg.stateEvent = dialog.stateEvent
                    leg.stateCode = dialog.stateCode
                }
            case .trying, .proceeding, .early:
                break
            }
            call.legs[extensionNumber] = leg
            calls[key] = call
            touched.insert(key)
        }
        if info.completeness == .full {
            // A dialog missing from a full document has ended.
            for (key, call) in calls where !listed.contains(key) {
                guard var leg = call.legs[extensionNumber], leg.endedAt == nil else { continue }
                leg.endedAt = time
                calls[key]?.legs[extensionNumber] = leg
                touched.insert(key)
            }
        }
        var closed: [CallRecord] = []
        for key in touched.sorted() {
            guard let call = calls[key], call.legs.values.allSatisfy({ $0.endedAt != nil }) else { continue }
            if let record = close(key, at: time, complete: true) { closed.append(record) }
        }
        if calls.count > configuration.maximumOpenCalls {
            let excess = calls.values.sorted { $0.startedAt < $1.startedAt }.prefix(
                calls.count - configuration.maximumOpenCalls)
            for call in excess {
                if let record = close(call.key, at: time, complete: false) { closed.append(record) }
            }
        }
        return closed.sorted { $0.startedAt < $1.startedAt }
    }

    /// Closes, as incomplete, every call open longer than the maximum call age.
    public mutating func evictStale(at time: CaptureTime) -> [CallRecord] {
        let limit = Double(configuration.maximumCallAgeSeconds)
        let stale = calls.values.filter { $0.startedAt.seconds(until: time) > limit }.map(\.key).sorted()
        return stale.compactMap { close($0, at: time, complete: false) }.sorted { $0.startedAt < $1.startedAt }
    }

    /// Closes every open call as incomplete (at shutdown).
    public mutating func finishAll(at time: CaptureTime) -> [CallRecord] {
        calls.keys.sorted().compactMap { close($0, at: time, complete: false) }.sorted { $0.startedAt < $1.startedAt }
    }

    // MARK: - Building records

    private mutating func close(_ key: String, at time: CaptureTime, complete: Bool) -> CallRecord? {
        guard let call = calls.removeValue(forKey: key) else { return nil }
        finishedKeys.insert(key)
        finishedOrder.append(key)
        if finishedOrder.count > Self.finishedMemory {
            let dropped = finishedOrder.prefix(Self.finishedMemory / 2)
            finishedKeys.subtract(dropped)
            finishedOrder.removeFirst(dropped.count)
        }
        let legs = call.legs.values.sorted { ($0.firstSeen, $0.extensionNumber) < ($1.firstSeen, $1.extensionNumber) }
        if legs.contains(where: { $0.remoteUser.map(configuration.ignoredRemoteUsers.contains) ?? false }) {
            return nil
        }
        return record(call, legs: legs, at: time, complete: complete)
    }

    private func record(_ call: OpenCall, legs: [Leg], at time: CaptureTime, complete: Bool) -> CallRecord {
        let initiator = legs.first { $0.direction == .initiator }
        let recipients = legs.filter { $0.direction != .initiator }
        let direction: CallDirection
        let from: String?
        let to: String?
        let extensionNumber: String?
        let answeredAt: CaptureTime?
        if let initiator {
            let remoteIsInternal = initiator.remoteUser.map(isInternal) ?? false
            direction =
                !recipients.isEmpty || remoteIsInternal ? .internal : initiator.remoteUser == nil ? .unknown : .outbound
            from = initiator.extensionNumber
            to = initiator.remoteUser.map(shown) ?? recipients.first?.extensionNumber
            extensionNumber = initiator.extensionNumber
            answeredAt = initiator.answeredAt ?? recipients.compactMap(\.answeredAt).min()
        } else {
            let first = recipients[0]
            let answering = recipients.compactMap { leg in leg.answeredAt.map { (leg, $0) } }.min { $0.1 < $1.1 }?.0
            let remote = first.remoteUser
            if let remote {
                direction = isInternal(remote) ? .internal : .inbound
            } else {
                direction = first.direction == .recipient ? .inbound : .unknown
            }
            if remote == nil, first.direction == nil {
                // Asterisk: no direction, no remote party. ringlog cannot tell who called whom.
                from = nil
            } else {
                from = remote.map(shown)
            }
            to = first.localUser.map(shown) ?? first.extensionNumber
            extensionNumber = (answering ?? first).extensionNumber
            answeredAt = answering?.answeredAt
        }
        let startedAt = legs.map(\.firstSeen).min() ?? call.startedAt
        let endedAt: CaptureTime? = complete ? legs.compactMap(\.endedAt).max() ?? time : nil
        let end = endedAt ?? time
        let ringSeconds = max(0, startedAt.seconds(until: answeredAt ?? end))
        let talkSeconds = answeredAt.map { max(0, $0.seconds(until: end)) } ?? 0
        return CallRecord(
            callID: call.callID ?? call.key, direction: direction, from: from, to: to,
            extensionNumber: extensionNumber, startedAt: startedAt, answeredAt: answeredAt, endedAt: endedAt,
            ringSeconds: Self.oneDecimal(ringSeconds), talkSeconds: Self.oneDecimal(talkSeconds),
            outcome: answeredAt != nil ? .answered : Self.unansweredOutcome(legs), complete: complete)
    }

    /// Durations are kept to one decimal, as the HEP call tracker keeps them.
    private static func oneDecimal(_ seconds: Double) -> Double { (seconds * 10).rounded() / 10 }

    private static func unansweredOutcome(_ legs: [Leg]) -> CallOutcome {
        for leg in legs {
            switch leg.stateCode {
            case 486?, 600?: return .busy
            case 603?: return .declined
            case let code? where code >= 400 && code != 487: return .failed
            default: break
            }
            if leg.stateEvent == "error" { return .failed }
        }
        return .missed
    }

    /// Whether `user` is one of the site's extensions.
    private func isInternal(_ user: String) -> Bool {
        if configuration.watchedExtensions.contains(user) { return true }
        return extensionMatcher?.matches(user) ?? false
    }

    /// An extension as it is, an outside number in E.164 when it normalises.
    private func shown(_ user: String) -> String {
        if isInternal(user) { return user }
        return configuration.normalizer.normalize(user)?.e164 ?? user
    }
}
