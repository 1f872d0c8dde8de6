import Foundation
import RinglogCore

/// The rejected file: every refused line with the reason next to it, one JSON object per line, appended.
///
/// `{"rejected_at": "2026-11-20T14:05:09Z", "origin": "spool/desk-1.jsonl", "line_number": 3,
/// "reason": "time: …", "line": "…"}`. The file is created with mode 0600 (lines hold personal data).
public final class RejectedLog: Sendable {
    /// The file's path.
    public let path: String

    /// Uses the rejected file at `path`; it is created on the first rejection.
    public init(path: String) {
        self.path = path
    }

    /// One refused line.
    public struct Record: Sendable, Equatable {
        /// Where the line came from: `stdin` or `spool/NAME`.
        public var origin: String
        /// The 1-based line number, or 0 for the file as a whole.
        public var lineNumber: Int
        /// Why it was refused.
        public var reason: String
        /// The line as read (invalid UTF-8 replaced), or its beginning when it was too long.
        public var line: String

        /// Creates a record.
        public init(origin: String, lineNumber: Int, reason: String, line: String) {
            self.origin = origin
            self.lineNumber = lineNumber
            self.reason = reason
            self.line = line
        }
    }

    /// Appends `records` and flushes them to disk before returning.
    /// - Parameter now: seconds since the Unix epoch.
    public func append(_ records: [Record], now: Int64) throws(EventIntakeError) {
        guard !records.isEmpty else { return }
        var bytes: [UInt8] = []
        for record in records {
            let object = JSONValue.object([
                "rejected_at": .string(RFC3339Time.utcTimestamp(now)), "origin": .string(record.origin),
                "line_number": .number(Double(record.lineNumber)), "reason": .string(record.reason),
                "line": .string(record.line),
            ])
            bytes += object.canonicalJSON
            bytes.append(UInt8(ascii: "\n"))
        }
        let directory = PathText.parent(of: path)
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw EventIntakeError.cannotWrite(path: path, errno: errno) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw EventIntakeError.cannotWrite(path: path, errno: errno)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw EventIntakeError.cannotWrite(path: path, errno: errno) }
    }
}
