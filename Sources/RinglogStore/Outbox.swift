import Foundation
import RinglogCore

/// The durable queue between the call tracker and Pipedrive: what is accepted here is never lost.
///
/// Items move pending → sending → done, or to failed (permanent errors, the reason kept) or skipped
/// (nothing to write, the reason kept). An item found in `sending` after a restart was cut between sending
/// and storing the answer: the writer reconciles it with Pipedrive before any retry. Items are unique by
/// key, so the same call enqueued twice stays one item.
public actor Outbox {
    /// One queued piece of work.
    public struct Item: Sendable, Equatable {
        /// The row id.
        public var id: Int64
        /// What kind of work: `call`, `event`, ….
        public var kind: String
        /// The unique key, e.g. the call's id.
        public var key: String
        /// The work itself (JSON).
        public var payload: [UInt8]
        /// The state.
        public var state: State
        /// How many attempts failed so far.
        public var attempts: Int
        /// The last error, for `status` and `trace`.
        public var lastError: String?
        /// What Pipedrive answered (ids, JSON), once done.
        public var result: String?
    }

    /// Where an item is in its life.
    public enum State: String, Sendable, CaseIterable {
        case pending, sending, done, failed, skipped

        /// Whether the item still waits to be written or is being written (`pending` or `sending`).
        public var isUnsettled: Bool { self == .pending || self == .sending }
    }

    /// What ``enqueue(kind:key:payload:now:)`` or ``enqueue(_:now:)`` did with one item.
    public enum EnqueueResult: Sendable, Equatable {
        /// A new item.
        case added(id: Int64)
        /// An item with this key was already there; nothing changed.
        case duplicate(id: Int64)
    }

    private let executor = SerialQueueExecutor(label: "ringlog.outbox")
    private let database: SQLiteDatabase

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens the outbox in `directory` (created with mode 0700 when missing) as `outbox.sqlite`.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        database = try SQLiteDatabase(path: "\(directory)/outbox.sqlite")
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS outbox (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                key TEXT NOT NULL UNIQUE,
                payload BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed', 'skipped')),
                attempts INTEGER NOT NULL DEFAULT 0,
                not_before INTEGER NOT NULL,
                last_error TEXT,
                result TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, not_before);
            """)
    }

    /// One piece of work to accept, for ``enqueue(_:now:)``.
    public struct NewItem: Sendable, Equatable {
        /// What kind of work: `call`, `event`, ….
        public var kind: String
        /// The unique key, e.g. the call's id.
        public var key: String
        /// The work itself (JSON).
        public var payload: [UInt8]

        /// Creates a piece of work.
        public init(kind: String, key: String, payload: [UInt8]) {
            self.kind = kind
            self.key = key
            self.payload = payload
        }
    }

    /// Accepts work durably: when this returns, the item survives a crash.
    /// - Parameter now: milliseconds since the Unix epoch.
    public func enqueue(kind: String, key: String, payload: [UInt8], now: Int64) throws -> EnqueueResult {
        // A batch of one: the batch returns exactly one result per item.
        try enqueue([NewItem(kind: kind, key: key, payload: payload)], now: now)[0]
    }

    /// Accepts several items durably in ONE transaction (one WAL commit, one fsync): when this returns, all
    /// of them survive a crash; when it throws, none of them was stored.
    ///
    /// Items are unique by key, within the batch too: a key already stored, or earlier in `items`, gives
    /// ``EnqueueResult/duplicate(id:)`` and changes nothing.
    /// - Parameter now: milliseconds since the Unix epoch.
    /// - Returns: one result per item, in the order of `items`.
    public func enqueue(_ items: [NewItem], now: Int64) throws -> [EnqueueResult] {
        guard !items.isEmpty else { return [] }
        return try database.transaction {
            let existing = try database.prepare("SELECT id FROM outbox WHERE key = ?")
            let insert = try database.prepare(
                "INSERT INTO outbox (kind, key, payload, state, not_before, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)"
            )
            var results: [EnqueueResult] = []
            results.reserveCapacity(items.count)
            for item in items {
                if try existing.bind([.text(item.key)]).step() {
                    results.append(.duplicate(id: existing.integer(0)))
                    continue
                }
                try insert.run([
                    .text(item.kind), .text(item.key), .blob(item.payload), .integer(now), .integer(now),
                    .integer(now),
                ])
                results.append(.added(id: database.lastInsertRowID))
            }
            return results
        }
    }

    /// Takes the oldest due pending item of `kind` and marks it `sending` (durably) before returning it.
    public func claimNext(kind: String, now: Int64) throws -> Item? {
        try database.transaction {
            let select = try database.prepare(
                "SELECT \(Self.columns) FROM outbox WHERE kind = ? AND state = 'pending' AND not_before <= ? ORDER BY not_before, id LIMIT 1"
            )
            guard try select.bind([.text(kind), .integer(now)]).step() else { return nil }
            var item = Self.item(select)
            try database.prepare("UPDATE outbox SET state = 'sending', updated_at = ? WHERE id = ?")
                .run([.integer(now), .integer(item.id)])
            item.state = .sending
            return item
        }
    }

    /// Items left in `sending` by a crash: each must be reconciled before it is retried.
    public func interruptedItems(kind: String) throws -> [Item] {
        try items(where: "kind = ? AND state = 'sending'", [.text(kind)])
    }

    /// Marks an item written, keeping what Pipedrive answered.
    public func markDone(_ id: Int64, result: String, now: Int64) throws {
        try database.prepare(
            "UPDATE outbox SET state = 'done', result = ?, last_error = NULL, updated_at = ? WHERE id = ?"
        )
        .run([.text(result), .integer(now), .integer(id)])
    }

    /// Marks an item written and, in the same transaction, queues a follow-up item (unless one with its key
    /// is already there): the follow-up exists exactly when the item is done, whatever crash comes between.
    public func markDone(
        _ id: Int64, result: String, now: Int64, thenEnqueue followUp: (kind: String, key: String, payload: [UInt8])
    ) throws {
        try database.transaction {
            try markDone(id, result: result, now: now)
            try database.prepare(
                "INSERT OR IGNORE INTO outbox (kind, key, payload, state, not_before, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)"
            ).run([
                .text(followUp.kind), .text(followUp.key), .blob(followUp.payload), .integer(now), .integer(now),
                .integer(now),
            ])
        }
    }

    /// Records, durably and before a request is sent, what the attempt is about to write (kept in `result`
    /// until the item is done): reconciliation after a crash reads it to know whether, and for whom,
    /// something may have reached Pipedrive.
    public func recordAttempt(_ id: Int64, attempt: String, now: Int64) throws {
        try database.prepare("UPDATE outbox SET result = ?, updated_at = ? WHERE id = ?")
            .run([.text(attempt), .integer(now), .integer(id)])
    }

    /// Puts an item back to pending after a retryable error, not to be tried before `notBefore`.
    public func markRetry(_ id: Int64, error: String, notBefore: Int64, now: Int64, countsAsAttempt: Bool = true) throws
    {
        try database.prepare(
            "UPDATE outbox SET state = 'pending', attempts = attempts + ?, last_error = ?, not_before = ?, updated_at = ? WHERE id = ?"
        ).run([.integer(countsAsAttempt ? 1 : 0), .text(error), .integer(notBefore), .integer(now), .integer(id)])
    }

    /// Marks an item failed for good (a permanent error), keeping the reason.
    public func markFailed(_ id: Int64, reason: String, now: Int64) throws {
        try database.prepare("UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?")
            .run([.text(reason), .integer(now), .integer(id)])
    }

    /// Marks an item skipped by policy (e.g. an unmapped extension), keeping the reason.
    public func markSkipped(_ id: Int64, reason: String, now: Int64) throws {
        try database.prepare("UPDATE outbox SET state = 'skipped', last_error = ?, updated_at = ? WHERE id = ?")
            .run([.text(reason), .integer(now), .integer(id)])
    }

    /// How many items are in each state.
    public func counts(kind: String) throws -> [State: Int] {
        let statement = try database.prepare("SELECT state, COUNT(*) FROM outbox WHERE kind = ? GROUP BY state")
        try statement.bind([.text(kind)])
        var counts: [State: Int] = [:]
        while try statement.step() {
            if let state = statement.text(0).flatMap(State.init) { counts[state] = Int(statement.integer(1)) }
        }
        return counts
    }

    /// The item with `key`, if any.
    public func item(key: String) throws -> Item? {
        try items(where: "key = ?", [.text(key)]).first
    }

    /// Failed items, newest first, for `status`.
    public func failures(kind: String, limit: Int) throws -> [Item] {
        try items(where: "kind = ? AND state = 'failed' ORDER BY updated_at DESC LIMIT \(max(1, limit))", [.text(kind)])
    }

    /// Removes the items that became `done` or `skipped` before `cutoff` (milliseconds since the Unix epoch), so
    /// that the outbox does not grow with every call ever logged; returns how many were removed. Failed, pending
    /// and sending items stay. Work enqueued again after its item was removed is new work (written again).
    @discardableResult
    public func removeFinished(before cutoff: Int64) throws -> Int {
        try database.prepare("DELETE FROM outbox WHERE state IN ('done', 'skipped') AND updated_at < ?")
            .run([.integer(cutoff)])
        return database.changes
    }

    private func items(where condition: String, _ values: [SQLiteStatement.Value]) throws -> [Item] {
        let statement = try database.prepare("SELECT \(Self.columns) FROM outbox WHERE \(condition)")
        try statement.bind(values)
        var items: [Item] = []
        while try statement.step() { items.append(Self.item(statement)) }
        return items
    }

    private static let columns = "id, kind, key, payload, state, attempts, last_error, result"

    private static func item(_ row: SQLiteStatement) -> Item {
        Item(
            id: row.integer(0), kind: row.text(1) ?? "", key: row.text(2) ?? "", payload: row.blob(3),
            state: row.text(4).flatMap(State.init) ?? .pending, attempts: Int(row.integer(5)), lastError: row.text(6),
            result: row.text(7))
    }
}
