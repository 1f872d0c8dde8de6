import Foundation
import RinglogCore
import RinglogStore

/// Takes JSON Lines of contact events into the outbox: each valid event becomes one item of kind `event`
/// keyed `chat:<id>` or `ticket:<id>` (so the same event twice stays one item, across restarts), and each
/// refused line goes to the rejected file with its reason.
///
/// When ``ingest(fileDescriptor:origin:now:)`` returns, every line is durably queued or rejected.
public struct EventIntake: Sendable {
    /// The outbox kind of event items.
    public static let outboxKind = "event"

    private let outbox: Outbox
    private let rejectedLog: RejectedLog
    private let maximumLineBytes: Int

    /// Creates an intake that queues into `outbox` and refuses into `rejectedLog`.
    public init(outbox: Outbox, rejectedLog: RejectedLog, maximumLineBytes: Int = 65_536) {
        self.outbox = outbox
        self.rejectedLog = rejectedLog
        self.maximumLineBytes = maximumLineBytes
    }

    /// Reads `descriptor` to its end and takes every line in.
    /// - Parameters:
    ///   - origin: `stdin` or `spool/NAME`, written into rejected records.
    ///   - now: milliseconds since the Unix epoch.
    public func ingest(fileDescriptor descriptor: Int32, origin: String, now: @Sendable () -> Int64) async throws
        -> IntakeSummary
    {
        var reader = JSONLinesReader(maximumLineBytes: maximumLineBytes)
        var session = Session(origin: origin)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw EventIntakeError.cannotRead(path: origin, errno: errno)
            }
            if count == 0 { break }
            for line in reader.append(buffer[..<count]) { try await take(line, into: &session, now: now) }
        }
        for line in reader.finish() { try await take(line, into: &session, now: now) }
        try flushRejections(&session, now: now)
        return session.summary
    }

    /// Takes every line of `bytes` in (for tests and small inputs).
    public func ingest(bytes: [UInt8], origin: String, now: @Sendable () -> Int64) async throws -> IntakeSummary {
        var reader = JSONLinesReader(maximumLineBytes: maximumLineBytes)
        var session = Session(origin: origin)
        for line in reader.append(bytes) + reader.finish() { try await take(line, into: &session, now: now) }
        try flushRejections(&session, now: now)
        return session.summary
    }

    /// Records a whole input as refused (e.g. a spool file over the size limit).
    public func rejectWhole(origin: String, reason: String, now: @Sendable () -> Int64) throws -> IntakeSummary {
        var session = Session(origin: origin)
        session.reject(lineNumber: 0, reason: reason, line: "")
        try flushRejections(&session, now: now)
        return session.summary
    }

    private struct Session {
        let origin: String
        var summary = IntakeSummary()
        var pending: [RejectedLog.Record] = []

        mutating func reject(lineNumber: Int, reason: String, line: String) {
            summary.rejected += 1
            if summary.rejections.count < IntakeSummary.maximumListedRejections {
                summary.rejections.append(IntakeSummary.Rejection(lineNumber: lineNumber, reason: reason))
            }
            pending.append(RejectedLog.Record(origin: origin, lineNumber: lineNumber, reason: reason, line: line))
        }
    }

    private func take(_ line: JSONLinesReader.Line, into session: inout Session, now: () -> Int64) async throws {
        switch line {
        case .tooLong(let number, let prefix, let byteCount):
            session.reject(
                lineNumber: number,
                reason: "line is \(byteCount) bytes; at most \(maximumLineBytes) are read: shorten the content "
                    + "(ringlog keeps 256 characters of it anyway)",
                line: String(decoding: prefix, as: UTF8.self) + "…")
        case .text(let number, var bytes):
            // A byte order mark at the start of the input (some Windows exporters write one) is not JSON.
            if number == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return }
            guard String(validating: bytes, as: UTF8.self) != nil else {
                session.reject(
                    lineNumber: number, reason: "line is not UTF-8 text; write JSON in UTF-8",
                    line: String(decoding: bytes, as: UTF8.self))
                return
            }
            let event: ContactEvent
            do {
                event = try ContactEventParser.parse(line: bytes)
            } catch {
                session.reject(
                    lineNumber: number, reason: error.description, line: String(decoding: bytes, as: UTF8.self))
                return
            }
            let result = try await outbox.enqueue(
                kind: Self.outboxKind, key: event.key, payload: ContactEventParser.encode(event), now: now())
            switch result {
            case .added: session.summary.accepted += 1
            case .duplicate: session.summary.duplicates += 1
            }
        }
        if session.pending.count >= 1_000 { try flushRejections(&session, now: now) }
    }

    private func flushRejections(_ session: inout Session, now: () -> Int64) throws {
        try rejectedLog.append(session.pending, now: now() / 1000)
        session.pending.removeAll()
    }
}
