import Foundation
import RinglogCore
import RinglogEvents
import RinglogPipedrive
import RinglogStore

/// What `ringlog status` and `ringlog trace` read: the outbox (durable counts, failures, one call's row)
/// and the daemon's snapshot file. Works while the daemon runs (SQLite WAL readers) and when it is stopped.
public struct StatusReader: Sendable {
    /// The tenant's state directory.
    public var stateDirectory: String

    /// Creates a reader of `stateDirectory`.
    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    private func openOutbox() throws -> Outbox {
        guard FileManager.default.fileExists(atPath: "\(stateDirectory)/outbox.sqlite") else {
            throw DaemonFailure(
                "no outbox in \(stateDirectory) yet; has 'ringlog run' been started with this configuration?",
                exitCode: .noInput)
        }
        do {
            return try Outbox(directory: stateDirectory)
        } catch {
            throw DaemonFailure("cannot open the outbox in \(stateDirectory): \(error)", exitCode: .ioError)
        }
    }

    /// The status: outbox counts plus the snapshot's live counters.
    public func status(failureLimit: Int = 10) async throws -> DaemonStatus {
        let outbox = try openOutbox()
        let counts = try await outbox.counts(kind: CallLogWriter.kind)
        let failures = try await outbox.failures(kind: CallLogWriter.kind, limit: failureLimit)
        var status = DaemonStatus(
            logged: counts[.done] ?? 0, pending: (counts[.pending] ?? 0) + (counts[.sending] ?? 0),
            failed: counts[.failed] ?? 0, skipped: counts[.skipped] ?? 0,
            failures: failures.map { DaemonStatus.Failure(key: $0.key, reason: $0.lastError ?? "unknown") })
        let callBacks = try await outbox.counts(kind: CallLogWriter.callBackKind)
        status.callBacksCreated = callBacks[.done] ?? 0
        status.callBacksPending = (callBacks[.pending] ?? 0) + (callBacks[.sending] ?? 0)
        status.callBacksFailed = callBacks[.failed] ?? 0
        let callBackFailures = try await outbox.failures(kind: CallLogWriter.callBackKind, limit: failureLimit)
        status.failures += callBackFailures.map {
            DaemonStatus.Failure(key: $0.key, reason: $0.lastError ?? "unknown")
        }
        let events = try await outbox.counts(kind: EventIntake.outboxKind)
        status.eventsSent = events[.done] ?? 0
        status.eventsPending = (events[.pending] ?? 0) + (events[.sending] ?? 0)
        status.eventsFailed = events[.failed] ?? 0
        status.eventsSkipped = events[.skipped] ?? 0
        if let snapshot = DaemonSnapshot.read(stateDirectory: stateDirectory) {
            status.eventsRejected = snapshot.eventsRejected
            status.lastEventBatch = snapshot.lastEventBatch
            status.running = snapshot.running && kill(snapshot.pid, 0) == 0
            status.updatedAt = snapshot.updatedAt
            status.callsSeen = snapshot.callsSeen
            status.lastError = snapshot.lastError
            status.authorization = snapshot.authorization
            // Counts of an earlier UTC day (the daemon stopped before midnight) are not today's.
            if snapshot.tokensDay == nil || snapshot.tokensDay == TokenLedger.utcDate(of: Date()) {
                status.tokensByEndpoint = snapshot.tokensByEndpoint
            }
            status.unmappedExtensions = snapshot.unmappedExtensions
            status.hepPackets = snapshot.hepPackets
        }
        return status
    }

    /// Everything ringlog knows about the calls whose Call-ID is `callID` (or whose outbox key is it).
    public func trace(callID: String) async throws -> String {
        let outbox = try openOutbox()
        _ = outbox
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: "\(stateDirectory)/outbox.sqlite")
        } catch {
            throw DaemonFailure("cannot open the outbox in \(stateDirectory): \(error)", exitCode: .ioError)
        }
        let statement = try database.prepare(
            "SELECT key, state, attempts, last_error, result, payload, created_at, updated_at FROM outbox "
                + "WHERE kind IN ('call', 'callback') AND (key = ? OR substr(key, 1, ?) IN (?, ?)) ORDER BY id")
        try statement.bind([
            .text(callID), .integer(Int64(callID.utf8.count + 1)), .text(callID + " "), .text(callID + "#"),
        ])
        var sections: [String] = []
        while try statement.step() {
            let key = statement.text(0) ?? ""
            guard !key.hasSuffix(CallLogWriter.callBackKeySuffix) else {
                sections.append(Self.callBackSection(statement, key: key))
                continue
            }
            var lines: [String] = []
            lines.append("call \(key)")
            let created = statement.integer(6)
            let updated = statement.integer(7)
            lines.append("  seen and queued: \(Self.time(created))")
            if let record = try? JSONDecoder().decode(CallRecord.self, from: Data(statement.blob(5))) {
                lines.append(
                    "  call: \(record.direction.rawValue) \(record.outcome.rawValue), from \(record.from ?? "?") "
                        + "to \(record.to ?? "?"), extension \(record.extensionNumber ?? "-"), ring "
                        + "\(record.ringSeconds) s, talk \(record.talkSeconds) s")
            }
            lines.append(
                "  state: \(statement.text(1) ?? "?") (attempts \(statement.integer(2)), updated \(Self.time(updated)))"
            )
            if let error = statement.text(3) { lines.append("  last error: \(error)") }
            if let resultText = statement.text(4),
                let result = try? JSONDecoder().decode(CallLogResult.self, from: Data(resultText.utf8))
            {
                lines.append("  matched: \(result.match)")
                lines.append(
                    "  written: call log \(result.callLogID.isEmpty ? "-" : result.callLogID), activity \(result.activityID.map(String.init) ?? "-"), "
                        + "user \(result.userID.map(String.init) ?? "-"), person "
                        + "\(result.personID.map(String.init) ?? "-"), organisation "
                        + "\(result.organizationID.map(String.init) ?? "-"), deal \(result.dealID.map(String.init) ?? "-")"
                )
            }
            sections.append(lines.joined(separator: "\n"))
        }
        guard !sections.isEmpty else {
            throw DaemonFailure(
                "no call with Call-ID \(callID) in the outbox of \(stateDirectory); ringlog never finished such a call",
                exitCode: .dataError)
        }
        return sections.joined(separator: "\n\n")
    }

    /// The call-back activity queued for a missed call: its state and, once written, the activity id.
    private static func callBackSection(_ statement: SQLiteStatement, key: String) -> String {
        var lines = ["call-back activity \(key)"]
        lines.append("  queued: \(time(statement.integer(6)))")
        lines.append(
            "  state: \(statement.text(1) ?? "?") (attempts \(statement.integer(2)), updated "
                + "\(time(statement.integer(7))))")
        if let error = statement.text(3) { lines.append("  last error: \(error)") }
        if statement.text(1) == "done", let resultText = statement.text(4),
            let result = try? JSONDecoder().decode([String: Int].self, from: Data(resultText.utf8)),
            let activityID = result["activity_id"]
        {
            lines.append("  written: activity \(activityID)")
        }
        return lines.joined(separator: "\n")
    }

    private static func time(_ milliseconds: Int64) -> String {
        PipedriveTimestamp.rfc3339(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
