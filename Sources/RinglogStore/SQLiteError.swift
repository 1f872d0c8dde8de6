import CSQLite

/// An error from SQLite, with what it means for the admin.
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// SQLite's primary result code (`SQLITE_FULL`, `SQLITE_CANTOPEN`, …).
    public var code: Int32
    /// SQLite's message.
    public var message: String

    /// Creates an error from a result code and message.
    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the disk (or the file system's quota) is full.
    public var isDiskFull: Bool { code & 0xff == SQLITE_FULL }

    /// Whether another connection holds a lock and the busy timeout ran out.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }

    public var description: String {
        switch code & 0xff {
        case SQLITE_FULL:
            "the disk holding the state directory is full (\(message)); free space, nothing accepted is lost"
        case SQLITE_CANTOPEN:
            "the database cannot be opened (\(message)); check that the state directory exists and is writable"
        case SQLITE_READONLY: "the database is read-only (\(message)); check the owner and mode of the state directory"
        case SQLITE_CORRUPT, SQLITE_NOTADB: "the database is damaged (\(message)); restore it from a backup"
        default: "SQLite error \(code): \(message)"
        }
    }
}
