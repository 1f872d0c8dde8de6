import Foundation
import RinglogCore
import RinglogStore

/// What the flush worker wrote down before a request that may create something in Pipedrive.
///
/// The outbox's `sending` state says an item was claimed, not whether its `POST` went out. The journal
/// closes that gap: an attempt is recorded (durably) just before the `POST`, and removed once the outcome is
/// stored in the outbox. An item that comes back with an attempt on record may already exist in Pipedrive,
/// so the worker looks for it (by its marker, near the recorded owner, person and organisation, from the
/// recorded time on) before sending again. Items without one were never sent and go out directly, with no
/// lookup cost.
public actor EventSendJournal {
    /// One recorded attempt.
    public struct Attempt: Sendable, Equatable {
        /// The activity that was about to be sent.
        public var draft: ActivityDraft
        /// When, in seconds since the Unix epoch.
        public var attemptedAt: Int64
    }

    /// The directory that holds the journal (the state directory).
    public nonisolated let directory: String
    private let executor = SerialQueueExecutor(label: "ringlog.event-journal")
    private let database: SQLiteDatabase

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens the journal `event-journal.sqlite` in `directory` (created with mode 0700 when missing).
    public init(directory: String) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.directory = directory
        database = try SQLiteDatabase(path: "\(directory)/event-journal.sqlite")
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS attempts (
                key TEXT PRIMARY KEY,
                draft BLOB,
                attempted_at INTEGER,
                created_person_id INTEGER
            );
            """)
    }

    /// Records that `draft` for `key` is about to be sent.
    public func recordAttempt(key: String, draft: ActivityDraft, at seconds: Int64) throws {
        let data = try JSONEncoder().encode(draft)
        try database.prepare(
            """
            INSERT INTO attempts (key, draft, attempted_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET draft = excluded.draft,
                attempted_at = MIN(COALESCE(attempts.attempted_at, excluded.attempted_at), excluded.attempted_at)
            """
        ).run([.text(key), .blob(Array(data)), .integer(seconds)])
    }

    /// The attempt on record for `key`, if any; the time is the earliest attempt's.
    public func attempt(key: String) throws -> Attempt? {
        let statement = try database.prepare(
            "SELECT draft, attempted_at FROM attempts WHERE key = ? AND draft IS NOT NULL")
        guard try statement.bind([.text(key)]).step() else { return nil }
        let draft = try JSONDecoder().decode(ActivityDraft.self, from: Data(statement.blob(0)))
        return Attempt(draft: draft, attemptedAt: statement.integer(1))
    }

    /// Records the person created for `key`'s unknown contact, so a retry reuses it.
    public func recordCreatedPerson(key: String, personID: Int) throws {
        try database.prepare(
            "INSERT INTO attempts (key, created_person_id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET created_person_id = excluded.created_person_id"
        ).run([.text(key), .integer(Int64(personID))])
    }

    /// The person created for `key`'s unknown contact, if any.
    public func createdPerson(key: String) throws -> Int? {
        let statement = try database.prepare(
            "SELECT created_person_id FROM attempts WHERE key = ? AND created_person_id IS NOT NULL")
        guard try statement.bind([.text(key)]).step() else { return nil }
        return Int(statement.integer(0))
    }

    /// Forgets `key` once its outcome is stored in the outbox.
    public func remove(key: String) throws {
        try database.prepare("DELETE FROM attempts WHERE key = ?").run([.text(key)])
    }

    /// How many keys are on record (for tests and `status`).
    public func count() throws -> Int {
        let statement = try database.prepare("SELECT COUNT(*) FROM attempts")
        _ = try statement.step()
        return Int(statement.integer(0))
    }
}
