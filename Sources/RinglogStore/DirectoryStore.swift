import Foundation
import RinglogCore

/// The contact directory on disk (SQLite, WAL), so a restart does not download every person again.
///
/// It keeps the persons and open deals the last sync saw, and the sync's watermark. Confined to one
/// actor: see ``Directory``.
public final class DirectoryStore {
    private let database: SQLiteDatabase

    /// Opens (creating) `directory.sqlite` in `directory`.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        database = try SQLiteDatabase(path: "\(directory)/directory.sqlite")
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS persons (id INTEGER PRIMARY KEY, data BLOB NOT NULL, seen_in_sweep INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS deals (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS sync_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            """)
    }

    /// Every stored person.
    public func allPersons() throws -> [DirectoryPerson] {
        let statement = try database.prepare("SELECT data FROM persons")
        try statement.bind([])
        var persons: [DirectoryPerson] = []
        let decoder = JSONDecoder()
        while try statement.step() {
            persons.append(try decoder.decode(DirectoryPerson.self, from: Data(statement.blob(0))))
        }
        return persons
    }

    /// Every stored open deal.
    public func allDeals() throws -> [DirectoryDeal] {
        let statement = try database.prepare("SELECT data FROM deals")
        try statement.bind([])
        var deals: [DirectoryDeal] = []
        let decoder = JSONDecoder()
        while try statement.step() {
            deals.append(try decoder.decode(DirectoryDeal.self, from: Data(statement.blob(0))))
        }
        return deals
    }

    /// Stores one page of person changes in one transaction, with the new watermark.
    /// - Parameter sweep: during a full sweep, its number: persons not seen by the end are removed by
    ///   ``finishSweep(_:)``.
    public func apply(_ changes: [DirectoryPersonChange], watermark: String?, sweep: Int?) throws {
        let encoder = JSONEncoder()
        try database.transaction {
            let upsert = try database.prepare(
                "INSERT INTO persons (id, data, seen_in_sweep) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, seen_in_sweep = MAX(seen_in_sweep, excluded.seen_in_sweep)"
            )
            let delete = try database.prepare("DELETE FROM persons WHERE id = ?")
            for change in changes {
                if change.isDeleted {
                    try delete.run([.integer(Int64(change.person.id))])
                } else {
                    try upsert.run([
                        .integer(Int64(change.person.id)), .blob(Array(try encoder.encode(change.person))),
                        .integer(Int64(sweep ?? 0)),
                    ])
                }
            }
            if let watermark { try setState("persons_watermark", watermark) }
        }
    }

    /// Ends a full sweep: removes the persons it did not see (deleted, or merged into another) and returns their ids.
    public func finishSweep(_ sweep: Int) throws -> [Int] {
        try database.transaction {
            let select = try database.prepare("SELECT id FROM persons WHERE seen_in_sweep < ?")
            try select.bind([.integer(Int64(sweep))])
            var gone: [Int] = []
            while try select.step() { gone.append(Int(select.integer(0))) }
            try database.prepare("DELETE FROM persons WHERE seen_in_sweep < ?").run([.integer(Int64(sweep))])
            try setState("last_sweep", String(sweep))
            return gone
        }
    }

    /// Replaces the stored open deals.
    public func replaceDeals(_ deals: [DirectoryDeal]) throws {
        let encoder = JSONEncoder()
        try database.transaction {
            try database.execute("DELETE FROM deals")
            let insert = try database.prepare("INSERT INTO deals (id, data) VALUES (?, ?)")
            for deal in deals {
                try insert.run([.integer(Int64(deal.id)), .blob(Array(try encoder.encode(deal)))])
            }
        }
    }

    /// A value of the sync's state (watermark, last sweep number), if set.
    public func state(_ name: String) throws -> String? {
        let statement = try database.prepare("SELECT value FROM sync_state WHERE name = ?")
        return try statement.bind([.text(name)]).step() ? statement.text(0) : nil
    }

    /// Sets a value of the sync's state.
    public func setState(_ name: String, _ value: String) throws {
        try database.prepare(
            "INSERT INTO sync_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value"
        ).run([.text(name), .text(value)])
    }
}

@available(*, unavailable)
extension DirectoryStore: Sendable {}
