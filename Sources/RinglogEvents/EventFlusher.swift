import RinglogCore
import RinglogStore

/// One batch: turns due `event` items of the outbox into done Pipedrive activities, paced to stay inside
/// the burst window, without writing any event twice.
///
/// Order of work: first items a crash left in `sending`, then pending items, oldest first. For each item:
/// agent → user (`events` follow `policy.unmapped_extension`), contact → person and organisation (by number,
/// then e-mail; unknown contacts follow `events.unknown_contact`), activity draft, then
/// - if the journal holds an earlier attempt, look for the activity by its marker first (found: done);
/// - record the attempt, wait for the pacer's slot, `POST`, mark the item done with the activity id.
public struct EventFlusher: Sendable {
    /// Everything a flush needs from outside.
    public struct Dependencies: Sendable {
        /// The durable queue.
        public var outbox: Outbox
        /// Attempts that may have reached Pipedrive.
        public var journal: EventSendJournal
        /// Pipedrive.
        public var writer: any ActivityWriter
        /// The contact directory.
        public var contacts: any ContactLookup
        /// Agent e-mail → Pipedrive user.
        public var users: any UserLookup
        /// Time and waiting.
        public var clock: any EventClock

        /// Creates the dependencies.
        public init(
            outbox: Outbox, journal: EventSendJournal, writer: any ActivityWriter, contacts: any ContactLookup,
            users: any UserLookup, clock: any EventClock
        ) {
            self.outbox = outbox
            self.journal = journal
            self.writer = writer
            self.contacts = contacts
            self.users = users
            self.clock = clock
        }
    }

    private let dependencies: Dependencies
    private let settings: EventSettings
    private let unmappedAgent: CallPolicy.UnmappedExtension
    private let normalizer: PhoneNumberNormalizer
    private let limits: BatchPacingPlan.Limits
    private let retryPolicy: RetryPolicy
    private let mapper: EventActivityMapper

    /// Creates a flush worker.
    /// - Parameters:
    ///   - unmappedAgent: what to do with an agent e-mail no active Pipedrive user has (`policy.unmapped_extension`).
    ///   - limits: the burst limits to pace by.
    public init(
        dependencies: Dependencies, settings: EventSettings, unmappedAgent: CallPolicy.UnmappedExtension,
        normalizer: PhoneNumberNormalizer, limits: BatchPacingPlan.Limits = .init(),
        retryPolicy: RetryPolicy = RetryPolicy()
    ) {
        self.dependencies = dependencies
        self.settings = settings
        self.unmappedAgent = unmappedAgent
        self.normalizer = normalizer
        self.limits = limits
        self.retryPolicy = retryPolicy
        mapper = EventActivityMapper(activityTypes: settings.activityTypes)
    }

    /// Runs one batch.
    /// - Parameter tokenBudget: tokens the batch may spend, when known (what is left of the daily budget).
    /// - Throws: ``FlushLockError/busy(path:)`` when another process runs a batch on the same state directory,
    ///   store errors, and `CancellationError` (items in flight stay in `sending` for the next run).
    public func flush(tokenBudget: Int? = nil) async throws -> FlushReport {
        let lock = try FlushLock(stateDirectory: dependencies.journal.directory)
        defer { withExtendedLifetime(lock) {} }
        let outbox = dependencies.outbox
        let kind = EventIntake.outboxKind
        var report = FlushReport()
        let due = (try await outbox.counts(kind: kind))[.pending] ?? 0
        let interrupted = try await outbox.interruptedItems(kind: kind)
        let plan = BatchPacingPlan(eventCount: due + interrupted.count, limits: limits, tokenBudget: tokenBudget)
        var pacer = RequestPacer(plan: plan)
        var remaining = plan.eventsInBatch
        var stop = false

        for item in interrupted where remaining > 0 && !stop {
            remaining -= 1
            stop = try await process(item, pacer: &pacer, report: &report)
        }
        while remaining > 0, !stop, let item = try await outbox.claimNext(kind: kind, now: dependencies.clock.now()) {
            remaining -= 1
            stop = try await process(item, pacer: &pacer, report: &report)
        }
        report.stoppedEarly = stop
        report.pending = (try await outbox.counts(kind: kind))[.pending] ?? 0
        return report
    }

    /// Handles one claimed item; returns whether the batch must stop (Pipedrive asked to wait).
    private func process(_ item: Outbox.Item, pacer: inout RequestPacer, report: inout FlushReport) async throws
        -> Bool
    {
        let outbox = dependencies.outbox
        let journal = dependencies.journal
        let clock = dependencies.clock
        let event: ContactEvent
        do {
            event = try ContactEventParser.parse(line: item.payload)
        } catch {
            try await outbox.markFailed(item.id, reason: "the stored event cannot be read: \(error)", now: clock.now())
            report.failed += 1
            return false
        }
        // Set while the POST is out: only its failure can prove that nothing was created.
        var postInFlight = false
        do {
            guard let ownerID = try await owner(of: event) else {
                try await outbox.markSkipped(
                    item.id,
                    reason: "agent \(event.agentEmail) has no active Pipedrive user (policy.unmapped_extension: skip)",
                    now: clock.now())
                report.skipped += 1
                return false
            }
            guard let target = try await target(of: event, ownerID: ownerID, pacer: &pacer) else {
                try await outbox.markSkipped(
                    item.id, reason: "no Pipedrive person has this contact (events.unknown_contact: skip)",
                    now: clock.now())
                report.skipped += 1
                return false
            }
            let draft = mapper.draft(for: event, target: target)

            if let earlier = try await journal.attempt(key: item.key) {
                try await clock.sleep(until: pacer.reserveSlot(now: clock.now()))
                // Look where the earlier attempt wrote, a minute before it to allow for clock skew.
                if let existing = try await dependencies.writer.findActivity(
                    matching: earlier.draft, since: earlier.attemptedAt - 60)
                {
                    try await outbox.markDone(item.id, result: Self.result(activityID: existing), now: clock.now())
                    try await journal.remove(key: item.key)
                    report.reconciled += 1
                    return false
                }
            }
            try await journal.recordAttempt(key: item.key, draft: draft, at: clock.now() / 1000)
            try await clock.sleep(until: pacer.reserveSlot(now: clock.now()))
            postInFlight = true
            let activityID = try await dependencies.writer.createActivity(draft)
            postInFlight = false
            try await outbox.markDone(item.id, result: Self.result(activityID: activityID), now: clock.now())
            try await journal.remove(key: item.key)
            report.created += 1
            return false
        } catch let error as ActivityWriteError {
            let now = clock.now()
            switch error {
            case .permanent(let message):
                try await outbox.markFailed(item.id, reason: message, now: now)
                try await journal.remove(key: item.key)
                report.failed += 1
                return false
            case .cannotLookUp(let message):
                try await outbox.markFailed(
                    item.id,
                    reason: "an earlier request for this event may have created its activity, and ringlog cannot "
                        + "check (\(message)); look in Pipedrive for a note with \(event.marker) and hand the "
                        + "event in again under a new id if it is missing",
                    now: now)
                try await journal.remove(key: item.key)
                report.failed += 1
                return false
            case .retryable(let message, let retryAt, let mayHaveReachedPipedrive):
                if postInFlight && !mayHaveReachedPipedrive { try await journal.remove(key: item.key) }
                let backoff = retryPolicy.delayMilliseconds(
                    afterFailedAttempts: item.attempts + 1, unitRandom: Double.random(in: 0..<1))
                let notBefore = max(now + backoff, (retryAt ?? 0) * 1000)
                try await outbox.markRetry(item.id, error: message, notBefore: notBefore, now: now)
                report.retried += 1
                return retryAt != nil
            }
        }
    }

    private func owner(of event: ContactEvent) async throws -> Int? {
        if let id = try await dependencies.users.userID(email: event.agentEmail) { return id }
        if case .logUnderDefaultUser(let email) = unmappedAgent {
            return try await dependencies.users.userID(email: email)
        }
        return nil
    }

    private func target(of event: ContactEvent, ownerID: Int, pacer: inout RequestPacer) async throws
        -> EventTarget?
    {
        let e164 = event.phone.flatMap { normalizer.normalize($0)?.e164 }
        if var found = await dependencies.contacts.contact(e164: e164, email: event.email, userID: ownerID) {
            found.ownerID = ownerID
            return found
        }
        switch settings.unknownContact {
        case .skip:
            return nil
        case .logWithoutPerson:
            return EventTarget(ownerID: ownerID, personID: nil, organizationID: nil)
        case .createPerson(let template):
            let key = event.key
            if let personID = try await dependencies.journal.createdPerson(key: key) {
                return EventTarget(ownerID: ownerID, personID: personID, organizationID: nil)
            }
            let contact = e164 ?? event.phone ?? event.email ?? ""
            let name = template.replacingOccurrences(of: "{contact}", with: contact)
            let clock = dependencies.clock
            try await clock.sleep(until: pacer.reserveSlot(now: clock.now()))
            let personID = try await dependencies.writer.createPerson(
                name: name, phone: e164 ?? event.phone, email: event.email, ownerID: ownerID)
            try await dependencies.journal.recordCreatedPerson(key: key, personID: personID)
            await dependencies.contacts.didCreatePerson(id: personID, phone: e164, email: event.email, name: name)
            return EventTarget(ownerID: ownerID, personID: personID, organizationID: nil)
        }
    }

    private static func result(activityID: Int) -> String { "{\"activity_id\":\(activityID)}" }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
