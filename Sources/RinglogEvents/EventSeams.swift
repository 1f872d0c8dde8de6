import RinglogCore

/// Writes event activities to Pipedrive: the seam between the flush worker and the Pipedrive client.
public protocol ActivityWriter: Sendable {
    /// Creates the activity (`POST /api/v2/activities`) and returns its id.
    /// - Throws: ``ActivityWriteError``; `CancellationError` is passed through untouched.
    func createActivity(_ draft: ActivityDraft) async throws -> Int

    /// The id of an activity created earlier from `draft` (its note contains `draft.marker`) by an attempt
    /// made at or after `since` (seconds since the Unix epoch), or `nil` when there is none. Used only for
    /// events whose earlier attempt may have reached Pipedrive (a crash or a lost answer).
    func findActivity(matching draft: ActivityDraft, since: Int64) async throws -> Int?

    /// Creates a person for an unknown contact and returns its id (`events.unknown_contact: create_person`).
    func createPerson(name: String, phone: String?, email: String?, ownerID: Int?) async throws -> Int
}

/// Why a write failed, as the flush worker needs to know it.
public enum ActivityWriteError: Error, Equatable, Sendable {
    /// Trying again later may work (5xx, timeouts, rate limits); `retryAt` is when Pipedrive said to
    /// (seconds since the Unix epoch), which also ends the batch early. `mayHaveReachedPipedrive` is false
    /// when the request certainly created nothing (not sent, refused with 429 or 401), so the next attempt
    /// needs no lookup.
    case retryable(message: String, retryAt: Int64?, mayHaveReachedPipedrive: Bool = true)
    /// It will never work as sent (400, 403, 404): the event is marked failed with the message.
    case permanent(message: String)
    /// ``ActivityWriter/findActivity(matching:since:)`` cannot look: the event, whose earlier request may
    /// have created its activity, is marked failed with this message rather than risk writing it twice.
    case cannotLookUp(message: String)
}

/// Finds the Pipedrive contact of an event: the seam to the local contact directory.
public protocol ContactLookup: Sendable {
    /// The person (and organisation) with this number, or else with this e-mail address, for an event
    /// handled by `userID`; `nil` when nobody has either.
    func contact(e164: String?, email: String?, userID: Int?) async -> EventTarget?

    /// Tells the directory about a person ringlog just created, so the next event of the contact finds it.
    func didCreatePerson(id: Int, phone e164: String?, email: String?, name: String) async
}

/// Maps an agent's e-mail to a Pipedrive user id (`GET /v1/users`, case-insensitive).
public protocol UserLookup: Sendable {
    /// The active Pipedrive user with this login e-mail, or `nil`.
    func userID(email: String) async throws -> Int?
}

/// The flush worker's clock: milliseconds since the Unix epoch, and waiting.
public protocol EventClock: Sendable {
    /// The current time in milliseconds since the Unix epoch.
    func now() -> Int64
    /// Waits until `milliseconds` (since the Unix epoch); returns at once when that is past.
    func sleep(until milliseconds: Int64) async throws
}
