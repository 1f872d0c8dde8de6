import Foundation
import RinglogCore
import RinglogEvents
import RinglogStore
import Testing

@Suite("Event intake: stdin and the spool directory")
struct EventIntakeTests {
    private let now: @Sendable () -> Int64 = { 1_795_183_509_000 }

    private func rejectedRecords(_ scratch: ScratchDirectory) throws -> [[String: JSONValue]] {
        try (scratch.read("rejected.jsonl") ?? "").split(separator: "\n").map { line in
            guard case .object(let members) = try JSONValue(parsing: Data(line.utf8)) else { return [:] }
            return members
        }
    }

    @Test("valid lines are queued once per kind and id; malformed lines go to the rejected file with the reason")
    func ingestLines() async throws {
        let scratch = try ScratchDirectory()
        let outbox = try Outbox(directory: scratch.path)
        let intake = EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: "\(scratch.path)/rejected.jsonl"))
        let input = [
            eventLine(id: "1"), "", eventLine(kind: "ticket", id: "1"), eventLine(id: "1"), "{broken",
            eventLine(id: "2", email: nil), "   ", eventLine(id: "3") + "\r",
        ].joined(separator: "\n")
        let summary = try await intake.ingest(bytes: Array(input.utf8), origin: "stdin", now: now)
        #expect(summary.accepted == 3)
        #expect(summary.duplicates == 1)
        #expect(summary.rejected == 2)
        #expect(summary.rejections.map(\.lineNumber) == [5, 6])
        #expect(summary.rejections[1].reason.contains("give the contact's phone or email"))
        #expect(try await outbox.item(key: "chat:1") != nil)
        #expect(try await outbox.item(key: "ticket:1") != nil)
        #expect(try await outbox.item(key: "chat:3")?.kind == "event")

        let records = try rejectedRecords(scratch)
        #expect(records.count == 2)
        #expect(records[0]["line"] == .string("{broken"))
        #expect(records[0]["origin"] == .string("stdin"))
        #expect(records[0]["line_number"] == .number(5))
        #expect(records[0]["rejected_at"] == .string("2026-11-20T14:05:09Z"))
        #expect(records[1]["reason"].map { "\($0)".contains("phone") } == true)
    }

    @Test("dedupe holds across restarts: a new outbox on the same state directory")
    func dedupeAcrossRestarts() async throws {
        let scratch = try ScratchDirectory()
        let log = RejectedLog(path: "\(scratch.path)/rejected.jsonl")
        let first = try await EventIntake(outbox: try Outbox(directory: scratch.path), rejectedLog: log)
            .ingest(bytes: Array(eventLine(id: "9").utf8), origin: "stdin", now: now)
        let second = try await EventIntake(outbox: try Outbox(directory: scratch.path), rejectedLog: log)
            .ingest(bytes: Array(eventLine(id: "9").utf8), origin: "stdin", now: now)
        #expect(first.accepted == 1)
        #expect(second.duplicates == 1 && second.accepted == 0)
    }

    @Test("overlong lines and invalid UTF-8 are refused with their reason, the rest still read")
    func boundsAndEncoding() async throws {
        let scratch = try ScratchDirectory()
        let outbox = try Outbox(directory: scratch.path)
        let intake = EventIntake(
            outbox: outbox, rejectedLog: RejectedLog(path: "\(scratch.path)/rejected.jsonl"), maximumLineBytes: 300)
        var input = Array(
            (eventLine(id: "long", extra: "\"content\":\"\(String(repeating: "x", count: 400))\"") + "\n").utf8)
        input += [0xFF, 0xFE, UInt8(ascii: "\n")]
        input += Array(eventLine(id: "ok").utf8)
        let summary = try await intake.ingest(bytes: input, origin: "stdin", now: now)
        #expect(summary.accepted == 1)
        #expect(summary.rejections.map(\.lineNumber) == [1, 2])
        #expect(summary.rejections[0].reason.contains("at most 300"))
        #expect(summary.rejections[1].reason.contains("UTF-8"))
    }

    @Test("a byte order mark at the start of the input is skipped")
    func byteOrderMark() async throws {
        let scratch = try ScratchDirectory()
        let intake = EventIntake(
            outbox: try Outbox(directory: scratch.path),
            rejectedLog: RejectedLog(path: "\(scratch.path)/rejected.jsonl"))
        let summary = try await intake.ingest(
            bytes: [0xEF, 0xBB, 0xBF] + Array(eventLine(id: "bom").utf8), origin: "stdin", now: now)
        #expect(summary.accepted == 1)
    }

    @Test("the reader splits chunks at any byte and bounds lines")
    func readerChunks() {
        var reader = JSONLinesReader(maximumLineBytes: 4)
        var lines: [JSONLinesReader.Line] = []
        for byte in Array("ab\r\ncdefgh\nij".utf8) { lines += reader.append([byte]) }
        lines += reader.finish()
        #expect(
            lines == [
                .text(number: 1, bytes: Array("ab".utf8)),
                .tooLong(number: 2, prefix: Array("cdefg".utf8), byteCount: 6),
                .text(number: 3, bytes: Array("ij".utf8)),
            ])
    }

    @Test("the spool takes ready files, ignores temporary names, and deletes what it has taken in")
    func spool() async throws {
        let scratch = try ScratchDirectory()
        let spool = try SpoolDirectory(path: "\(scratch.path)/spool")
        let intake = EventIntake(
            outbox: try Outbox(directory: scratch.path),
            rejectedLog: RejectedLog(path: "\(scratch.path)/rejected.jsonl"))
        try scratch.write(
            "spool/desk-1.jsonl", [eventLine(id: "a"), eventLine(id: "b"), "nope"].joined(separator: "\n"))
        try scratch.write("spool/.desk-2.jsonl.tmp", eventLine(id: "c"))
        try scratch.write("spool/desk-3.jsonl.tmp", eventLine(id: "d"))
        try scratch.write("spool/.hidden", eventLine(id: "e"))

        let summary = try await spool.drain(into: intake, now: now)
        #expect(summary.accepted == 2)
        #expect(summary.rejected == 1)
        #expect(
            scratch.names("spool") == [".desk-2.jsonl.tmp", ".hidden", "desk-3.jsonl.tmp", "processing", "refused"])
        #expect(scratch.names("spool/processing").isEmpty)
        let records = try rejectedRecords(scratch)
        #expect(records.first?["origin"] == .string("spool/desk-1.jsonl"))
        #expect(records.first?["line_number"] == .number(3))

        // The writer's rename makes the file ready.
        try FileManager.default.moveItem(
            atPath: "\(scratch.path)/spool/.desk-2.jsonl.tmp", toPath: "\(scratch.path)/spool/desk-2.jsonl")
        #expect(try await spool.drain(into: intake, now: now).accepted == 1)
    }

    @Test("a file a crash left in processing/ is read again; its events are duplicates")
    func crashDuringIntake() async throws {
        let scratch = try ScratchDirectory()
        let spool = try SpoolDirectory(path: "\(scratch.path)/spool")
        let intake = EventIntake(
            outbox: try Outbox(directory: scratch.path),
            rejectedLog: RejectedLog(path: "\(scratch.path)/rejected.jsonl"))
        // The first run queued event "a", then died before deleting its claimed file.
        _ = try await intake.ingest(bytes: Array(eventLine(id: "a").utf8), origin: "spool/x.jsonl", now: now)
        try scratch.write(
            "spool/processing/1795183509000-1-1-x.jsonl",
            [eventLine(id: "a"), eventLine(id: "b")].joined(separator: "\n"))
        let summary = try await spool.drain(into: intake, now: now)
        #expect(summary.accepted == 1)
        #expect(summary.duplicates == 1)
        #expect(scratch.names("spool/processing").isEmpty)
    }

    @Test("a file over the size limit is moved aside and named in the rejected file")
    func oversizedFile() async throws {
        let scratch = try ScratchDirectory()
        let spool = try SpoolDirectory(path: "\(scratch.path)/spool", maximumFileBytes: 100)
        let intake = EventIntake(
            outbox: try Outbox(directory: scratch.path),
            rejectedLog: RejectedLog(path: "\(scratch.path)/rejected.jsonl"))
        try scratch.write("spool/big.jsonl", [eventLine(id: "a"), eventLine(id: "b")].joined(separator: "\n"))
        let summary = try await spool.drain(into: intake, now: now)
        #expect(summary.rejected == 1)
        #expect(summary.rejections.first?.reason.contains("split it into smaller files") == true)
        #expect(scratch.names("spool/refused").count == 1)
        #expect(try rejectedRecords(scratch).first?["line_number"] == .number(0))
    }
}

@Suite("Event service loop")
struct EventServiceTests {
    @Test("spool files are taken in at every tick; a batch runs once per interval")
    func ticks() async throws {
        let state = try ScratchDirectory()
        let clock = FakeClock()
        let outbox = try Outbox(directory: state.path)
        let pipedrive = FakePipedrive()
        let settings = EventSettings(stateDirectory: state.path)
        let intake = EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: settings.rejectedFile))
        let flusher = EventFlusher(
            dependencies: .init(
                outbox: outbox, journal: try EventSendJournal(directory: state.path), writer: pipedrive,
                contacts: FakeContacts(), users: FakeUsers(users: ["anna@example.com": 3]), clock: clock),
            settings: settings, unmappedAgent: .skip, normalizer: PhoneNumberNormalizer())
        let service = EventService(
            spool: try SpoolDirectory(path: settings.spoolDirectory), intake: intake, flusher: flusher, clock: clock,
            batchMinutes: 30)

        try state.write("spool/a.jsonl", eventLine(id: "1"))
        let first = try await service.tick()
        #expect(first.intake.accepted == 1)
        #expect(first.flush == nil)

        clock.advance(milliseconds: 29 * 60_000)
        try state.write("spool/b.jsonl", eventLine(id: "2"))
        let second = try await service.tick()
        #expect(second.intake.accepted == 1)
        #expect(second.flush == nil)

        clock.advance(milliseconds: 60_000)
        #expect(try await service.tick().flush?.created == 2)
        clock.advance(milliseconds: 60_000)
        #expect(try await service.tick().flush == nil)
    }
}

@Suite("Flush lock")
struct FlushLockTests {
    @Test("one batch at a time per state directory; the lock is free again once released")
    func exclusive() throws {
        let state = try ScratchDirectory()
        var first: FlushLock? = try FlushLock(stateDirectory: state.path)
        #expect(throws: FlushLockError.busy(path: "\(state.path)/event-flush.lock")) {
            _ = try FlushLock(stateDirectory: state.path)
        }
        #expect(first != nil)
        first = nil
        #expect(throws: Never.self) { _ = try FlushLock(stateDirectory: state.path) }
    }
}
