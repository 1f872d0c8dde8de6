import Foundation
import RinglogCore
import RinglogPipedrive
import RinglogStore

/// Writes the outbox's calls to Pipedrive, exactly once.
///
/// For each item: the call's user (``UserDirectory``), its contact (``Directory`` and the shared-number
/// policy), the call log (``CallLogComposer``), `POST /v1/callLogs`, then `markDone` with the ids. Errors:
/// - rate limits, an exhausted budget and a refresh token that needs `ringlog auth` postpone the item
///   without counting an attempt;
/// - 5xx and transport failures may have reached Pipedrive: the item is retried with backoff, marked
///   *unconfirmed*, and reconciled before it is sent again;
/// - every other error is permanent: the item fails with the reason kept.
///
/// Before each request the writer records durably what it is about to write and for whom (the item's
/// attempt). Reconciliation (items left in `sending` by a crash, and unconfirmed ones) reads it and looks
/// for the call's marker line: in the notes of the authorised user's call logs (`GET /v1/callLogs`) when
/// the call belongs to the token's owner, else in the notes of the activities of the call's user changed
/// since the attempt (`GET /api/v2/activities?owner_id=…&updated_since=…`: every call log is backed by a
/// `call` activity owned by the log's user, and `GET /v1/callLogs` lists only the token owner's logs).
///
/// A missed inbound call also gets an undone call-back activity (`call_logs.callback`): the writer queues
/// it in the same transaction that marks the call done (outbox kind ``callBackKind``), and writes it with
/// the same attempt record and reconciliation, so it is created exactly once.
public actor CallLogWriter {
    /// What the writer needs from the configuration; replaced on reload.
    public struct Settings: Sendable {
        /// The rules for unmapped extensions and unknown callers.
        public var policy: CallPolicy
        /// Subjects, the note and the call-back activity (`call_logs`).
        public var callLogs: CallLogSettings
        /// Whether an unknown number is searched for once per directory sync (`directory.search_on_miss`).
        public var searchOnMiss: Bool
        /// The backoff of retryable errors.
        public var retry: RetryPolicy
        /// How long a call waits while Pipedrive needs re-authorisation before it is tried again (ms).
        public var reauthorizationPauseMilliseconds: Int64

        /// Creates settings.
        public init(
            policy: CallPolicy = CallPolicy(), callLogs: CallLogSettings = CallLogSettings(),
            searchOnMiss: Bool = false, retry: RetryPolicy = RetryPolicy(),
            reauthorizationPauseMilliseconds: Int64 = 5_000
        ) {
            self.policy = policy
            self.callLogs = callLogs
            self.searchOnMiss = searchOnMiss
            self.retry = retry
            self.reauthorizationPauseMilliseconds = reauthorizationPauseMilliseconds
        }
    }

    /// The counters `status` shows.
    public struct Counters: Sendable, Equatable {
        /// The last error, one line.
        public var lastError: String?
        /// Calls of unmapped extensions, by extension.
        public var unmappedExtensions: [String: Int] = [:]
        /// Calls written.
        public var written = 0
        /// Calls found already written by reconciliation.
        public var reconciled = 0
        /// Call-back activities created (or found created) for missed inbound calls.
        public var callBacks = 0
        /// Searches for unknown numbers (`directory.search_on_miss`).
        public var searches = 0
    }

    /// What happened to one item, for the log and the tests.
    public enum Outcome: Sendable, Equatable {
        case written(callLogID: String)
        case reconciled(callLogID: String)
        /// The call-back activity of a missed inbound call was created.
        case callBackCreated(activityID: Int)
        /// The call-back activity was found created by an attempt whose answer was lost.
        case callBackReconciled(activityID: Int)
        case skipped(String)
        case failed(String)
        case postponed(String)
    }

    /// The prefix of `last_error` for an attempt that may have reached Pipedrive.
    public static let unconfirmedPrefix = "unconfirmed: "
    /// The outbox kind of calls.
    public static let kind = "call"
    /// The outbox kind of call-back activities.
    public static let callBackKind = "callback"
    /// How far before an attempt reconciliation looks (seconds), for clocks that disagree.
    static let reconciliationMarginSeconds: Int64 = 600
    /// Activities per page of a reconciliation scan (10 tokens a page whatever its size; small pages keep each
    /// request short, and after the first lookup a scan reads only what changed since).
    static let activityPageSize = 100
    /// The most pages one scan reads (10 million activities): a bound, not a limit reached in practice.
    static let activityScanPageLimit = 100_000
    /// How many running scans of the same user a lookup waits for before it reads on its own.
    static let activityScanWaitLimit = 16
    /// The outbox key of a call's call-back activity is the call's key with this suffix.
    static let callBackKeySuffix = "#callback"

    private let outbox: Outbox
    private let client: PipedriveClient
    private let users: UserDirectory
    private let directory: Directory?
    private let normalizer: PhoneNumberNormalizer
    private let logger: DaemonLogger
    private let random: @Sendable () -> Double
    private var settings: Settings
    private var counters = Counters()
    private var markers: [String: CallLog] = [:]
    private var scannedLogs = 0
    private var activityScans: [Int: ActivityScanProgress] = [:]
    private var activityScansInFlight: [Int: Task<Void, any Error>] = [:]
    private var activityMarkers: [String: Activity] = [:]
    private var personCreations: [String: Task<CreatedContact?, any Error>] = [:]
    private var tokenOwnerID: Int?

    /// Creates a writer.
    public init(
        outbox: Outbox, client: PipedriveClient, users: UserDirectory, directory: Directory?,
        normalizer: PhoneNumberNormalizer, settings: Settings, logger: DaemonLogger,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.outbox = outbox
        self.client = client
        self.users = users
        self.directory = directory
        self.normalizer = normalizer
        self.settings = settings
        self.logger = logger
        self.random = random
    }

    /// Replaces the settings (after a configuration reload).
    public func update(settings: Settings) { self.settings = settings }

    /// A snapshot of the counters.
    public var snapshot: Counters { counters }

    /// Reconciles every item a crash left in `sending`: done when Pipedrive has it, else back to pending.
    public func reconcileInterrupted(now: @Sendable () -> Int64) async throws {
        let items =
            try await outbox.interruptedItems(kind: Self.kind) + outbox.interruptedItems(kind: Self.callBackKind)
        guard !items.isEmpty else { return }
        logger.notice("reconciling \(items.count) item(s) cut by a restart while being written")
        for item in items {
            do {
                if item.kind == Self.callBackKind {
                    if let request = try? JSONDecoder().decode(CallBackRequest.self, from: Data(item.payload)),
                        let activity = try await findCallBack(request, item: item)
                    {
                        try await markCallBackDone(item, activityID: activity, now: now())
                        continue
                    }
                } else if let written = try await findLogged(item) {
                    let record = try? JSONDecoder().decode(CallRecord.self, from: Data(item.payload))
                    try await markDone(
                        item, written: written, match: "reconciled after a restart", record: record, now: now())
                    counters.reconciled += 1
                    continue
                }
                try await outbox.markRetry(
                    item.id, error: "interrupted; not found in Pipedrive", notBefore: now(), now: now(),
                    countsAsAttempt: false)
            } catch {
                // Pipedrive unreachable: the item stays `sending` and is reconciled again later.
                counters.lastError = "reconciliation: \(error)"
                throw error
            }
        }
    }

    /// Takes the next due item (calls first, then call-back activities) and processes it.
    /// - Returns: what happened, or `nil` when nothing was due.
    public func processNext(now: @Sendable () -> Int64) async throws -> Outcome? {
        if let item = try await outbox.claimNext(kind: Self.kind, now: now()) {
            return try await process(item, now: now)
        }
        if let item = try await outbox.claimNext(kind: Self.callBackKind, now: now()) {
            return try await processCallBack(item, now: now)
        }
        return nil
    }

    /// Whether no call and no call-back activity waits to be written (for `--replay`, which exits then).
    public func isDrained() async throws -> Bool {
        for kind in [Self.kind, Self.callBackKind] {
            let counts = try await outbox.counts(kind: kind)
            if (counts[.pending] ?? 0) + (counts[.sending] ?? 0) > 0 { return false }
        }
        return true
    }

    private func process(_ item: Outbox.Item, now: @Sendable () -> Int64) async throws -> Outcome {
        let record: CallRecord
        do {
            record = try JSONDecoder().decode(CallRecord.self, from: Data(item.payload))
        } catch {
            let reason = "the queued call cannot be read: \(error)"
            try await outbox.markFailed(item.id, reason: reason, now: now())
            return .failed(reason)
        }
        do {
            if item.lastError?.hasPrefix(Self.unconfirmedPrefix) == true, let written = try await findLogged(item) {
                try await markDone(
                    item, written: written, match: "reconciled after an unconfirmed attempt", record: record,
                    now: now())
                counters.reconciled += 1
                return .reconciled(callLogID: written.callLogID)
            }
            guard let resolved = try await resolve(record, item: item, now: now) else {
                return .skipped(try await outbox.item(key: item.key)?.lastError ?? "skipped")
            }
            let composer = CallLogComposer(
                templates: settings.callLogs.templates, includesNote: settings.callLogs.includesNote)
            let draft = composer.draft(for: record, userID: resolved.userID, choice: resolved.choice)
            try await recordAttempt(item, userID: resolved.userID, now: now())
            let log = try await client.addCallLog(Self.newCallLog(draft))
            try await markDone(
                item, written: CallLogResult(log, match: resolved.explanation), match: resolved.explanation,
                record: record, now: now())
            counters.written += 1
            logger.info("logged call \(item.key) as \(log.id) (user \(resolved.userID.map(String.init) ?? "-"))")
            return .written(callLogID: log.id)
        } catch let error as PipedriveError {
            return try await handle(error, item: item, now: now)
        } catch is CancellationError {
            // Shutdown while sending: the item stays `sending` and is reconciled at the next start.
            throw CancellationError()
        }
    }

    private func handle(_ error: PipedriveError, item: Outbox.Item, now: @Sendable () -> Int64) async throws -> Outcome
    {
        let text = error.description
        counters.lastError = text
        let current = now()
        // An earlier attempt that may have reached Pipedrive stays unconfirmed until a search settles it: a
        // later 429 (of the search itself, say) must not make the next attempt send the call log again.
        let stillUnconfirmed = item.lastError?.hasPrefix(Self.unconfirmedPrefix) == true
        let retryText = stillUnconfirmed ? Self.unconfirmedPrefix + text : text
        switch error {
        case .needsReauthorization:
            try await outbox.markRetry(
                item.id, error: retryText, notBefore: current + settings.reauthorizationPauseMilliseconds,
                now: current, countsAsAttempt: false)
            return .postponed(text)
        case .rateLimited(let date), .dailyBudgetExhausted(let date):
            let notBefore = max(current + 1_000, Int64(date.timeIntervalSince1970 * 1000))
            try await outbox.markRetry(
                item.id, error: retryText, notBefore: notBefore, now: current, countsAsAttempt: false)
            return .postponed(text)
        case .serverError, .transport:
            let delay = settings.retry.delayMilliseconds(afterFailedAttempts: item.attempts + 1, unitRandom: random())
            try await outbox.markRetry(
                item.id, error: Self.unconfirmedPrefix + text, notBefore: current + delay, now: current)
            logger.warning("call \(item.key): \(text); retrying in \(delay) ms")
            return .postponed(text)
        default:
            if error.isRetryable {
                let delay = settings.retry.delayMilliseconds(
                    afterFailedAttempts: item.attempts + 1, unitRandom: random())
                try await outbox.markRetry(item.id, error: retryText, notBefore: current + delay, now: current)
                return .postponed(text)
            }
            try await outbox.markFailed(item.id, reason: text, now: current)
            logger.error("call \(item.key) failed: \(text)")
            return .failed(text)
        }
    }

    /// The user and contact of a call, or `nil` when the policy skips it (the item is then marked skipped).
    private func resolve(_ record: CallRecord, item: Outbox.Item, now: @Sendable () -> Int64) async throws
        -> (userID: Int?, choice: SharedNumberPolicy.Choice?, explanation: String)?
    {
        var explanation: [String] = []
        let userID: Int
        switch try await users.lookUp(extension: record.extensionNumber) {
        case .user(let id):
            userID = id
            explanation.append("user \(id) from extension \(record.extensionNumber ?? "-")")
        case .unmappedExtension, .noActiveUser:
            let extensionText = record.extensionNumber ?? "none"
            counters.unmappedExtensions[extensionText, default: 0] += 1
            switch settings.policy.unmappedExtension {
            case .skip:
                try await outbox.markSkipped(
                    item.id, reason: "extension \(extensionText) has no Pipedrive user (policy: skip)", now: now())
                return nil
            case .logUnderDefaultUser(let email):
                guard let id = try await users.userID(email: email) else {
                    try await outbox.markSkipped(
                        item.id,
                        reason: "extension \(extensionText) has no user and the default user \(email) "
                            + "is not an active Pipedrive user", now: now())
                    return nil
                }
                userID = id
                explanation.append("default user \(id): extension \(extensionText) has no Pipedrive user")
            }
        }
        let number = CallLogComposer.externalNumber(of: record)
        let e164 = number.flatMap { normalizer.normalize($0)?.e164 }
        if let e164, let choice = await directory?.match(e164: e164, userID: userID) {
            explanation.append("contact for \(e164): \(choice.rule.rawValue)")
            return (userID, choice, explanation.joined(separator: "; "))
        }
        if let e164, settings.searchOnMiss, try await searchOnMiss(e164: e164),
            let choice = await directory?.match(e164: e164, userID: userID)
        {
            explanation.append("contact for \(e164) found by a search: \(choice.rule.rawValue)")
            return (userID, choice, explanation.joined(separator: "; "))
        }
        switch settings.policy.unknownCaller {
        case .skip:
            try await outbox.markSkipped(
                item.id, reason: "no Pipedrive person has \(number ?? "the number") (policy: skip)", now: now())
            return nil
        case .logWithoutPerson:
            explanation.append("no person has \(number ?? "the number"): logged without one")
            return (userID, nil, explanation.joined(separator: "; "))
        case .createPerson(let template):
            guard let e164 else {
                explanation.append("number \(number ?? "none") is not dialable: logged without a person")
                return (userID, nil, explanation.joined(separator: "; "))
            }
            let created = try await createPerson(
                e164: e164, template: template, deal: settings.policy.unknownCallerDeal, ownerID: userID)
            explanation.append(
                "created person \(created.map { String($0.personID) } ?? "-")"
                    + (created?.dealID.map { " and deal \($0)" } ?? "") + " for \(e164)")
            let choice = created.map {
                SharedNumberPolicy.Choice(
                    personID: $0.personID, organizationID: nil, dealID: $0.dealID, rule: .onlyPerson,
                    otherCandidates: [])
            }
            return (userID, choice, explanation.joined(separator: "; "))
        }
    }

    /// A person created for an unknown caller, with the deal created with it (if the policy asks for one).
    private struct CreatedContact: Sendable {
        var personID: Int
        var dealID: Int?
    }

    /// Creates one person (and, with `deal`, one deal owned by `ownerID`) per new number: concurrent calls from
    /// the same number share one creation.
    private func createPerson(
        e164: String, template: String, deal: CallPolicy.UnknownCallerDeal?, ownerID: Int
    ) async throws -> CreatedContact? {
        if let inFlight = personCreations[e164] { return try await inFlight.value }
        let client = client
        let directory = directory
        let task = Task<CreatedContact?, any Error> {
            if let existing = await directory?.match(e164: e164, userID: ownerID), let personID = existing.personID {
                return CreatedContact(personID: personID, dealID: existing.dealID)
            }
            let name = CallLogTemplates.fill(template, values: ["number": e164])
            let person = try await client.addPerson(
                NewPerson(
                    name: name, phones: [LabeledValue(value: e164, label: "work", isPrimary: true)], ownerID: ownerID))
            try await directory?.insert(
                DirectoryPerson(id: person.id, name: person.name, phones: [e164]),
                updatedAt: PipedriveTimestamp.rfc3339(Date()))
            guard let deal else { return CreatedContact(personID: person.id) }
            let created = try await client.addDeal(
                NewDeal(
                    title: CallLogTemplates.fill(deal.titleTemplate, values: ["number": e164]), personID: person.id,
                    ownerID: ownerID, pipelineID: deal.pipelineID, stageID: deal.stageID))
            try await directory?.insert(
                DirectoryDeal(id: created.id, personID: person.id, organizationID: nil, ownerID: ownerID))
            return CreatedContact(personID: person.id, dealID: created.id)
        }
        personCreations[e164] = task
        defer { personCreations[e164] = nil }
        return try await task.value
    }

    /// Searches Pipedrive once per directory sync for a number no indexed person has (exact match on the
    /// E.164 form, 20 tokens); the persons found whose numbers really normalise to it enter the directory.
    /// - Returns: whether a person entered the directory.
    private func searchOnMiss(e164: String) async throws -> Bool {
        guard let directory, await directory.claimSearch(e164: e164) else { return false }
        counters.searches += 1
        let hits = try await client.searchPersons(phone: e164, exactMatch: true, limit: 10)
        var added = false
        for hit in hits.prefix(10) {
            let person = try await client.person(id: hit.personID)
            guard !person.isDeleted, person.phones.contains(where: { normalizer.normalize($0.value)?.e164 == e164 })
            else { continue }
            try await directory.insert(
                DirectoryPerson(
                    id: person.id, name: person.name, organizationID: person.organizationID, ownerID: person.ownerID,
                    phones: person.phones.map(\.value), emails: person.emails.map(\.value)),
                updatedAt: PipedriveTimestamp.rfc3339(person.updateTime ?? Date()))
            added = true
        }
        logger.info("searched Pipedrive for \(e164): \(hits.count) hit(s)\(added ? ", added to the directory" : "")")
        return added
    }

    /// Records durably, before the request, for whom the item is about to be written and when.
    private func recordAttempt(_ item: Outbox.Item, userID: Int?, now: Int64) async throws {
        let attempt = WriteAttempt(userID: userID, sentAtMilliseconds: now)
        let text = String(decoding: try JSONEncoder().encode(attempt), as: UTF8.self)
        try await outbox.recordAttempt(item.id, attempt: text, now: now)
    }

    /// Marks a call done and, for a missed inbound call with call-backs on, queues its call-back activity in
    /// the same transaction.
    private func markDone(
        _ item: Outbox.Item, written: CallLogResult, match: String, record: CallRecord?, now: Int64
    ) async throws {
        markers[CallLogComposer.marker(forKey: item.key)] = nil
        activityMarkers[CallLogComposer.marker(forKey: item.key)] = nil
        var result = written
        result.match = match
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(result), as: UTF8.self)
        guard let record, CallLogComposer.isMissedInbound(record), let callBack = settings.callLogs.callBack,
            let userID = result.userID
        else {
            try await outbox.markDone(item.id, result: text, now: now)
            return
        }
        let composer = CallLogComposer(templates: settings.callLogs.templates)
        let endSeconds = (record.endedAt ?? record.startedAt).microsecondsSinceEpoch / 1_000_000
        let request = CallBackRequest(
            callKey: item.key, userID: userID, personID: result.personID, organizationID: result.organizationID,
            dealID: result.dealID, subject: composer.callBackSubject(for: record, template: callBack.subject),
            type: callBack.activityType, dueAt: endSeconds + Int64(callBack.dueInMinutes) * 60,
            note: composer.callBackNote(for: record))
        try await outbox.markDone(
            item.id, result: text, now: now,
            thenEnqueue: (Self.callBackKind, item.key + Self.callBackKeySuffix, Array(try encoder.encode(request))))
    }

    /// The call log an earlier attempt of `item` wrote, if Pipedrive has it: in the token owner's call logs
    /// when the call is theirs (or no attempt was recorded), else in the call user's activities.
    private func findLogged(_ item: Outbox.Item) async throws -> CallLogResult? {
        let attempt = item.result.flatMap { try? JSONDecoder().decode(WriteAttempt.self, from: Data($0.utf8)) }
        if let attempt, let userID = attempt.userID, userID != (try await ownerOfToken()) {
            let marker = CallLogComposer.marker(forKey: item.key)
            guard let activity = try await findActivity(marker: marker, ownerID: userID, attempt: attempt) else {
                return nil
            }
            // Another user's call log cannot be read back (GET /v1/callLogs lists the token owner's only):
            // its activity stands for it.
            return CallLogResult(
                callLogID: "", activityID: activity.id, userID: activity.ownerID ?? userID,
                personID: activity.personID, organizationID: activity.organizationID, dealID: activity.dealID,
                match: "")
        }
        return try await findOwnLog(key: item.key).map { CallLogResult($0, match: "") }
    }

    /// The call log whose note carries the marker of `key`, scanning the authorised user's call logs
    /// incrementally (pages already read are not read again). Of the call logs read, only those of calls
    /// not yet settled in the outbox are remembered, so memory stays bounded however many calls were logged.
    private func findOwnLog(key: String) async throws -> CallLog? {
        let marker = CallLogComposer.marker(forKey: key)
        if let log = markers[marker] { return log }
        var start = scannedLogs
        for _ in 0..<10_000 {
            let page = try await client.callLogs(start: start, limit: 50)
            for log in page.callLogs {
                guard let found = Self.marker(in: log.note) else { continue }
                if found != marker {
                    // Another call's log: worth keeping only while that call still waits to be settled.
                    let foundKey = HTMLText.unescape(String(found.dropFirst(CallLogComposer.markerPrefix.count)))
                    guard try await outbox.item(key: foundKey)?.state.isUnsettled == true else { continue }
                }
                markers[found] = log
            }
            start += page.callLogs.count
            scannedLogs = start
            guard let next = page.nextStart, !page.callLogs.isEmpty else { break }
            start = next
        }
        return markers[marker]
    }

    /// The activity of `ownerID` changed since the attempt whose note holds `marker`, or `nil` when every
    /// activity of that user changed since the attempt has been read and none holds it.
    ///
    /// The user's activities are scanned incrementally (``ActivityScanProgress``): a lookup reads only what
    /// changed since the previous one, and one scan per user runs at a time. What a scan reads is remembered
    /// for the calls still waiting to be settled, so other lookups of the same user find their activity
    /// without a request.
    private func findActivity(marker: String, ownerID: Int, attempt: WriteAttempt) async throws -> Activity? {
        let since = max(0, attempt.sentAtMilliseconds / 1000 - Self.reconciliationMarginSeconds)
        for _ in 0..<Self.activityScanWaitLimit {
            guard let running = activityScansInFlight[ownerID] else { break }
            // Its errors are its own lookup's; this lookup reads again afterwards either way.
            _ = try? await running.value
        }
        if let found = activityMarkers[marker] { return found }
        let scan = Task { try await self.scanActivities(ownerID: ownerID, since: since) }
        activityScansInFlight[ownerID] = scan
        defer { if activityScansInFlight[ownerID] == scan { activityScansInFlight[ownerID] = nil } }
        try await withTaskCancellationHandler {
            try await scan.value
        } onCancel: {
            scan.cancel()
        }
        return activityMarkers[marker]
    }

    /// Reads `ownerID`'s activities changed since `since` (Unix seconds) that the scan has not read yet, up to
    /// now, and remembers those whose marker belongs to a call or call-back still waiting to be settled.
    /// Progress is kept after every page.
    private func scanActivities(ownerID: Int, since: Int64) async throws {
        var progress = activityScans[ownerID] ?? ActivityScanProgress(since: since)
        if !progress.covers(since: since) { progress = ActivityScanProgress(since: since) }
        for _ in 0..<Self.activityScanPageLimit {
            try Task.checkCancellation()
            let filter = ActivityFilter(
                ownerID: ownerID, updatedSince: Date(timeIntervalSince1970: TimeInterval(progress.passStart)))
            let page = try await client.activities(filter, cursor: progress.cursor, limit: Self.activityPageSize)
            for activity in page.activities { try await rememberMarkers(of: activity) }
            let ended = progress.read(
                updateTimes: page.activities.compactMap { $0.updateTime.map { Int64($0.timeIntervalSince1970) } },
                nextCursor: page.nextCursor)
            activityScans[ownerID] = progress
            if ended { return }
        }
        throw PipedriveError.unexpectedResponse(
            status: 200,
            detail: "the activities of user \(ownerID) did not end after \(Self.activityScanPageLimit) pages; "
                + "look for the call's marker line in Pipedrive before writing it again")
    }

    /// Remembers `activity` under its marker line when the call or call-back it stands for still waits to be
    /// settled in the outbox (so memory stays bounded however many activities are read).
    private func rememberMarkers(of activity: Activity) async throws {
        let kinds = [
            (CallLogComposer.markerPrefix, ""), (CallLogComposer.callBackMarkerPrefix, Self.callBackKeySuffix),
        ]
        for (prefix, keySuffix) in kinds {
            guard let found = Self.marker(in: activity.note, prefix: prefix) else { continue }
            let key = HTMLText.unescape(String(found.dropFirst(prefix.count))) + keySuffix
            if try await outbox.item(key: key)?.state.isUnsettled == true { activityMarkers[found] = activity }
        }
    }

    /// The id of the user the API token (or OAuth grant) belongs to (`GET /v1/users/me`, once).
    private func ownerOfToken() async throws -> Int {
        if let tokenOwnerID { return tokenOwnerID }
        let id = try await client.currentUser().id
        tokenOwnerID = id
        return id
    }

    // MARK: - Call-back activities

    private func processCallBack(_ item: Outbox.Item, now: @Sendable () -> Int64) async throws -> Outcome {
        let request: CallBackRequest
        do {
            request = try JSONDecoder().decode(CallBackRequest.self, from: Data(item.payload))
        } catch {
            let reason = "the queued call-back activity cannot be read: \(error)"
            try await outbox.markFailed(item.id, reason: reason, now: now())
            return .failed(reason)
        }
        do {
            if item.lastError?.hasPrefix(Self.unconfirmedPrefix) == true,
                let activityID = try await findCallBack(request, item: item)
            {
                try await markCallBackDone(item, activityID: activityID, now: now())
                return .callBackReconciled(activityID: activityID)
            }
            try await recordAttempt(item, userID: request.userID, now: now())
            let activity = try await client.addActivity(
                ActivityFields(
                    subject: request.subject, type: request.type, ownerID: request.userID, personID: request.personID,
                    organizationID: request.organizationID, dealID: request.dealID,
                    due: Date(timeIntervalSince1970: TimeInterval(request.dueAt)), done: false, note: request.note))
            try await markCallBackDone(item, activityID: activity.id, now: now())
            logger.info("call-back activity \(activity.id) for missed call \(request.callKey)")
            return .callBackCreated(activityID: activity.id)
        } catch let error as PipedriveError {
            return try await handle(error, item: item, now: now)
        } catch is CancellationError {
            throw CancellationError()
        }
    }

    /// The call-back activity an earlier attempt created, if any (nothing was sent without an attempt).
    private func findCallBack(_ request: CallBackRequest, item: Outbox.Item) async throws -> Int? {
        guard let attempt = item.result.flatMap({ try? JSONDecoder().decode(WriteAttempt.self, from: Data($0.utf8)) })
        else { return nil }
        let marker = CallLogComposer.callBackMarker(forKey: request.callKey)
        return try await findActivity(marker: marker, ownerID: request.userID, attempt: attempt)?.id
    }

    private func markCallBackDone(_ item: Outbox.Item, activityID: Int, now: Int64) async throws {
        try await outbox.markDone(item.id, result: #"{"activity_id":\#(activityID)}"#, now: now)
        if item.key.hasSuffix(Self.callBackKeySuffix) {
            activityMarkers[
                CallLogComposer.callBackMarker(forKey: String(item.key.dropLast(Self.callBackKeySuffix.count)))] =
                nil
        }
        counters.callBacks += 1
    }

    /// The marker line starting with `prefix` in a note (a call log's by default), if any.
    static func marker(in note: String?, prefix: String = CallLogComposer.markerPrefix) -> String? {
        guard let note, let range = note.firstRange(of: prefix) else { return nil }
        let rest = note[range.upperBound...]
        let end = rest.firstIndex(where: { $0 == "<" || $0 == "\n" }) ?? rest.endIndex
        return prefix + rest[..<end]
    }

    /// The request body of a draft.
    public static func newCallLog(_ draft: CallLogDraft) -> NewCallLog {
        NewCallLog(
            outcome: CallLogOutcome(rawValue: draft.outcome) ?? .noAnswer, toPhoneNumber: draft.toPhoneNumber,
            startTime: Date(timeIntervalSince1970: Double(draft.startMilliseconds) / 1000),
            endTime: Date(timeIntervalSince1970: Double(draft.endMilliseconds) / 1000),
            fromPhoneNumber: draft.fromPhoneNumber, duration: .seconds(draft.durationSeconds), subject: draft.subject,
            userID: draft.userID, personID: draft.personID, organizationID: draft.organizationID,
            dealID: draft.dealID, note: draft.note)
    }
}
