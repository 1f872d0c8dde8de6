import Foundation
import RinglogCore
import RinglogPipedrive

/// Writes event activities and persons with the Pipedrive client (its rate limiter and token ledger apply).
public struct PipedriveActivityWriter: ActivityWriter {
    private let client: PipedriveClient

    /// Uses `client`.
    public init(client: PipedriveClient) {
        self.client = client
    }

    public func createActivity(_ draft: ActivityDraft) async throws -> Int {
        let fields = Self.fields(for: draft)
        do {
            return try await client.addActivity(fields).id
        } catch let error as PipedriveError {
            throw Self.writeError(error)
        }
    }

    /// Pages of `GET /api/v2/activities` read at most by one lookup (500 activities each).
    public static let lookupPageLimit = 20

    /// Looks where the earlier attempt wrote: the done activities of the draft's person (else its
    /// organisation, else its owner) changed at or after `since`, `GET /api/v2/activities` (10 tokens a page
    /// of 500), for a note with the draft's marker as its own paragraph.
    /// - Throws: ``ActivityWriteError/retryable(message:retryAt:mayHaveReachedPipedrive:)`` for temporary
    ///   errors (the event waits and is looked up again), ``ActivityWriteError/cannotLookUp(message:)`` when
    ///   Pipedrive refuses the lookup (e.g. the token lacks `activities:read`) or more than
    ///   ``lookupPageLimit`` pages would have to be read.
    public func findActivity(matching draft: ActivityDraft, since: Int64) async throws -> Int? {
        var filter = ActivityFilter(done: true, updatedSince: Date(timeIntervalSince1970: TimeInterval(since)))
        if let personID = draft.personID {
            filter.personID = personID
        } else if let organizationID = draft.organizationID {
            filter.organizationID = organizationID
        } else {
            filter.ownerID = draft.ownerID
        }
        var cursor: String?
        for _ in 0..<Self.lookupPageLimit {
            let page: ActivityPage
            do {
                page = try await client.activities(filter, cursor: cursor, limit: 500)
            } catch let error as PipedriveError {
                switch Self.writeError(error) {
                case .permanent(let message): throw ActivityWriteError.cannotLookUp(message: message)
                case let other: throw other
                }
            }
            if let found = page.activities.first(where: { EventNoteMarker.note($0.note, contains: draft.marker) }) {
                return found.id
            }
            guard let next = page.nextCursor else { return nil }
            cursor = next
        }
        throw ActivityWriteError.cannotLookUp(
            message: "more than \(Self.lookupPageLimit * 500) done activities changed since the attempt")
    }

    public func createPerson(name: String, phone: String?, email: String?, ownerID: Int?) async throws -> Int {
        let person = NewPerson(
            name: name, phones: phone.map { [LabeledValue(value: $0, label: "work", isPrimary: true)] } ?? [],
            emails: email.map { [LabeledValue(value: $0, label: "work", isPrimary: true)] } ?? [], ownerID: ownerID)
        do {
            return try await client.addPerson(person).id
        } catch let error as PipedriveError {
            throw Self.writeError(error)
        }
    }

    /// The client's fields for `draft`: due date and time from the draft's UTC date and time, duration in
    /// whole minutes.
    public static func fields(for draft: ActivityDraft) -> ActivityFields {
        let due = RFC3339Time.epochSeconds("\(draft.dueDate)T\(draft.dueTime):00Z").map {
            Date(timeIntervalSince1970: TimeInterval($0))
        }
        let duration = draft.duration.flatMap { text -> Duration? in
            let parts = text.split(separator: ":")
            guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]) else { return nil }
            return .seconds((hours * 60 + minutes) * 60)
        }
        return ActivityFields(
            subject: draft.subject, type: draft.type, ownerID: draft.ownerID, personID: draft.personID,
            organizationID: draft.organizationID, due: due, duration: duration, done: draft.done, note: draft.note)
    }

    /// How the flush worker treats a client error.
    public static func writeError(_ error: PipedriveError) -> ActivityWriteError {
        guard error.isRetryable else { return .permanent(message: error.description) }
        let certainlyNotCreated: Bool
        switch error {
        case .rateLimited, .dailyBudgetExhausted, .needsReauthorization, .transport(.cannotConnect):
            certainlyNotCreated = true
        default: certainlyNotCreated = false
        }
        return .retryable(
            message: error.description, retryAt: error.retryAt.map { Int64($0.timeIntervalSince1970.rounded(.up)) },
            mayHaveReachedPipedrive: !certainlyNotCreated)
    }
}

/// Agent e-mail → Pipedrive user id from `GET /v1/users` (active users, case-insensitive), read once per
/// instance and again when an e-mail is not found (at most once a minute).
public actor PipedriveUserLookup: UserLookup {
    private let client: PipedriveClient
    private let clock: any EventClock
    private var users: [String: Int]?
    private var loadedAt: Int64 = .min

    /// Uses `client`.
    public init(client: PipedriveClient, clock: any EventClock = SystemEventClock()) {
        self.client = client
        self.clock = clock
    }

    public func userID(email: String) async throws -> Int? {
        let key = email.lowercased()
        if let id = users?[key] { return id }
        guard users == nil || clock.now() - loadedAt >= 60_000 else { return nil }
        let list: [PipedriveUser]
        do {
            list = try await client.users()
        } catch let error as PipedriveError {
            throw PipedriveActivityWriter.writeError(error)
        }
        var map: [String: Int] = [:]
        for user in list where user.isActive {
            if let address = user.email?.lowercased() { map[address] = user.id }
        }
        users = map
        loadedAt = clock.now()
        return map[key]
    }
}
