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
/// Reconciliation (items left in `sending` by a crash, and unconfirmed ones) looks for the call's marker
/// line in the notes of the authorised user's call logs (`GET /v1/callLogs`) and marks the item done when
/// it is there.
public actor CallLogWriter {
    /// What the writer needs from the configuration; replaced on reload.
    public struct Settings: Sendable {
        /// The rules for unmapped extensions and unknown callers.
        public var policy: CallPolicy
        /// The subject templates.
        public var templates: CallLogTemplates
        /// The backoff of retryable errors.
        public var retry: RetryPolicy
        /// How long a call waits while Pipedrive needs re-authorisation before it is tried again (ms).
        public var reauthorizationPauseMilliseconds: Int64

        /// Creates settings.
        public init(
            policy: CallPolicy = CallPolicy(), templates: CallLogTemplates = CallLogTemplates(),
            retry: RetryPolicy = RetryPolicy(), reauthorizationPauseMilliseconds: Int64 = 5_000
        ) {
            self.policy = policy
            self.templates = templates
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
    }

    /// What happened to one item, for the log and the tests.
    public enum Outcome: Sendable, Equatable {
        case written(callLogID: String)
        case reconciled(callLogID: String)
        case skipped(String)
        case failed(String)
        case postponed(String)
    }

    /// The prefix of `last_error` for an attempt that may have reached Pipedrive.
    public static let unconfirmedPrefix = "unconfirmed: "
    /// The outbox kind of calls.
    public static let kind = "call"

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
    private var personCreations: [String: Task<Int?, any Error>] = [:]

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
        let items = try await outbox.interruptedItems(kind: Self.kind)
        guard !items.isEmpty else { return }
        logger.notice("reconciling \(items.count) call(s) cut by a restart while being written")
        for item in items {
            do {
                if let log = try await findLogged(key: item.key) {
                    try await markDone(item, log: log, match: "reconciled after a restart", now: now())
                    counters.reconciled += 1
                } else {
                    try await outbox.markRetry(
                        item.id, error: "interrupted; not found in Pipedrive", notBefore: now(), now: now(),
                        countsAsAttempt: false)
                }
            } catch {
                // Pipedrive unreachable: the item stays `sending` and is reconciled again later.
                counters.lastError = "reconciliation: \(error)"
                throw error
            }
        }
    }

    /// Takes the next due item and processes it.
    /// - Returns: what happened, or `nil` when nothing was due.
    public func processNext(now: @Sendable () -> Int64) async throws -> Outcome? {
        guard let item = try await outbox.claimNext(kind: Self.kind, now: now()) else { return nil }
        return try await process(item, now: now)
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
            if item.lastError?.hasPrefix(Self.unconfirmedPrefix) == true, let log = try await findLogged(key: item.key)
            {
                try await markDone(item, log: log, match: "reconciled after an unconfirmed attempt", now: now())
                counters.reconciled += 1
                return .reconciled(callLogID: log.id)
            }
            guard let resolved = try await resolve(record, item: item, now: now) else {
                return .skipped(try await outbox.item(key: item.key)?.lastError ?? "skipped")
            }
            let draft = CallLogComposer(templates: settings.templates).draft(
                for: record, userID: resolved.userID, choice: resolved.choice)
            let log = try await client.addCallLog(Self.newCallLog(draft))
            try await markDone(item, log: log, match: resolved.explanation, now: now())
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
        switch error {
        case .needsReauthorization:
            try await outbox.markRetry(
                item.id, error: text, notBefore: current + settings.reauthorizationPauseMilliseconds, now: current,
                countsAsAttempt: false)
            return .postponed(text)
        case .rateLimited(let date), .dailyBudgetExhausted(let date):
            let notBefore = max(current + 1_000, Int64(date.timeIntervalSince1970 * 1000))
            try await outbox.markRetry(item.id, error: text, notBefore: notBefore, now: current, countsAsAttempt: false)
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
                try await outbox.markRetry(item.id, error: text, notBefore: current + delay, now: current)
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
            let personID = try await createPerson(e164: e164, template: template, ownerID: userID)
            explanation.append("created person \(personID.map(String.init) ?? "-") for \(e164)")
            let choice = personID.map {
                SharedNumberPolicy.Choice(
                    personID: $0, organizationID: nil, dealID: nil, rule: .onlyPerson, otherCandidates: [])
            }
            return (userID, choice, explanation.joined(separator: "; "))
        }
    }

    /// Creates one person per new number: concurrent calls from the same number share one creation.
    private func createPerson(e164: String, template: String, ownerID: Int) async throws -> Int? {
        if let inFlight = personCreations[e164] { return try await inFlight.value }
        let client = client
        let directory = directory
        let task = Task<Int?, any Error> {
            if let existing = await directory?.match(e164: e164, userID: ownerID)?.personID { return existing }
            let name = CallLogTemplates.fill(template, values: ["number": e164])
            let person = try await client.addPerson(
                NewPerson(
                    name: name, phones: [LabeledValue(value: e164, label: "work", isPrimary: true)], ownerID: ownerID))
            try await directory?.insert(
                DirectoryPerson(id: person.id, name: person.name, phones: [e164]),
                updatedAt: PipedriveTimestamp.rfc3339(Date()))
            return person.id
        }
        personCreations[e164] = task
        defer { personCreations[e164] = nil }
        return try await task.value
    }

    private func markDone(_ item: Outbox.Item, log: CallLog, match: String, now: Int64) async throws {
        let result = CallLogResult(
            callLogID: log.id, activityID: log.activityID, userID: log.userID, personID: log.personID,
            organizationID: log.organizationID, dealID: log.dealID, match: match)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(result), as: UTF8.self)
        try await outbox.markDone(item.id, result: text, now: now)
    }

    /// The call log whose note carries the marker of `key`, scanning the authorised user's call logs
    /// incrementally (pages already read are remembered).
    private func findLogged(key: String) async throws -> CallLog? {
        let marker = CallLogComposer.marker(forKey: key)
        if let log = markers[marker] { return log }
        var start = scannedLogs
        for _ in 0..<10_000 {
            let page = try await client.callLogs(start: start, limit: 50)
            for log in page.callLogs {
                if let found = Self.marker(in: log.note) { markers[found] = log }
            }
            start += page.callLogs.count
            scannedLogs = start
            guard let next = page.nextStart, !page.callLogs.isEmpty else { break }
            start = next
        }
        return markers[marker]
    }

    /// The marker line in a note, if any.
    static func marker(in note: String?) -> String? {
        guard let note, let range = note.range(of: CallLogComposer.markerPrefix) else { return nil }
        let rest = note[range.upperBound...]
        let end = rest.firstIndex(where: { $0 == "<" || $0 == "\n" }) ?? rest.endIndex
        return CallLogComposer.markerPrefix + rest[..<end]
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
