import Foundation
import RinglogCore
import RinglogEvents
import RinglogPipedrive
import RinglogStore
import Synchronization
import Testing

@Suite("Event flush")
struct EventFlusherTests {
    private static let anna = 3
    private static let liisa = EventTarget(ownerID: nil, personID: 10, organizationID: 20)
    private static let matti = EventTarget(ownerID: nil, personID: 11, organizationID: nil)

    /// One ringlog process: its own outbox and journal handles on the shared state directory.
    private struct Process {
        let outbox: Outbox
        let journal: EventSendJournal
        let flusher: EventFlusher

        init(
            state: ScratchDirectory, pipedrive: FakePipedrive, clock: FakeClock,
            settings: EventSettings? = nil, unmappedAgent: CallPolicy.UnmappedExtension = .skip,
            contacts: FakeContacts = FakeContacts(
                byPhone: ["+358401234567": EventFlusherTests.matti],
                byEmail: ["liisa@example.fi": EventFlusherTests.liisa])
        ) throws {
            outbox = try Outbox(directory: state.path)
            journal = try EventSendJournal(directory: state.path)
            var eventSettings = settings ?? EventSettings(stateDirectory: state.path)
            eventSettings.activityTypes = [.chat: "chat", .ticket: "email"]
            flusher = EventFlusher(
                dependencies: .init(
                    outbox: outbox, journal: journal, writer: pipedrive, contacts: contacts,
                    users: FakeUsers(users: ["anna@example.com": EventFlusherTests.anna, "desk@example.com": 9]),
                    clock: clock),
                settings: eventSettings, unmappedAgent: unmappedAgent,
                normalizer: PhoneNumberNormalizer(region: .finland))
        }

        func enqueue(_ lines: [String]) async throws {
            let intake = EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: "/nonexistent/never-written"))
            let summary = try await intake.ingest(
                bytes: Array(lines.joined(separator: "\n").utf8), origin: "test", now: { 1_795_183_509_000 })
            #expect(summary.rejected == 0)
        }
    }

    private func markers(_ pipedrive: FakePipedrive) -> [String] {
        pipedrive.activities.values.map(\.marker).sorted()
    }

    @Test("matched events become done activities on the agent, the person and the organisation")
    func mapping() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive()
        let process = try Process(state: state, pipedrive: pipedrive, clock: FakeClock())
        try await process.enqueue([
            eventLine(kind: "ticket", id: "T1"), eventLine(id: "C1", phone: "040 123 4567", email: nil),
        ])
        let report = try await process.flusher.flush()
        #expect(report.created == 2)
        #expect(report.pending == 0)
        let drafts = pipedrive.activities.values.sorted { $0.marker < $1.marker }
        #expect(drafts.map(\.type) == ["chat", "email"])
        #expect(drafts[0].personID == 11 && drafts[0].organizationID == nil && drafts[0].ownerID == Self.anna)
        #expect(drafts[1].personID == 10 && drafts[1].organizationID == 20 && drafts[1].done)
        let item = try await process.outbox.item(key: "ticket:T1")
        #expect(item?.state == .done)
        #expect(item?.result?.hasPrefix("{\"activity_id\":") == true)
        #expect(try await process.journal.count() == 0)
    }

    @Test("a crash in the middle of a flush: the next process finishes without duplicates")
    func crashMidFlush() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive()
        let clock = FakeClock()
        let first = try Process(state: state, pipedrive: pipedrive, clock: clock)
        try await first.enqueue((1...10).map { eventLine(id: "C\($0)") })
        pipedrive.setCrash(afterPost: 4)
        await #expect(throws: CancellationError.self) { _ = try await first.flusher.flush() }
        #expect(pipedrive.activities.count == 4)
        #expect(try await first.outbox.counts(kind: "event") == [.done: 3, .sending: 1, .pending: 6])

        pipedrive.setCrash(afterPost: nil)
        let second = try Process(state: state, pipedrive: pipedrive, clock: clock)
        let report = try await second.flusher.flush()
        #expect(report.reconciled == 1)
        #expect(report.created == 6)
        #expect(pipedrive.activities.count == 10)
        #expect(markers(pipedrive) == (1...10).map { "ringlog-event:chat:C\($0)" }.sorted())
        #expect(pipedrive.lookups == 1)
        #expect(try await second.outbox.counts(kind: "event") == [.done: 10])
        #expect(try await second.journal.count() == 0)
    }

    @Test("an item claimed but never sent goes out without a lookup")
    func crashBeforePost() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive()
        let clock = FakeClock()
        let first = try Process(state: state, pipedrive: pipedrive, clock: clock)
        try await first.enqueue([eventLine(id: "C1")])
        _ = try await first.outbox.claimNext(kind: "event", now: clock.now())
        let report = try await Process(state: state, pipedrive: pipedrive, clock: clock).flusher.flush()
        #expect(report.created == 1)
        #expect(pipedrive.lookups == 0)
    }

    @Test("a lost answer is retried later and found by its marker, not written twice")
    func lostAnswer() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive(.init(lostAnswers: 1))
        let clock = FakeClock()
        let process = try Process(state: state, pipedrive: pipedrive, clock: clock)
        try await process.enqueue([eventLine(id: "C1")])
        let first = try await process.flusher.flush()
        #expect(first.retried == 1)
        #expect(first.pending == 1)
        clock.advance(milliseconds: 3_600_000)
        let second = try await process.flusher.flush()
        #expect(second.reconciled == 1)
        #expect(second.created == 0)
        #expect(pipedrive.activities.count == 1)
        #expect(pipedrive.posts == 1)
    }

    @Test("permanent errors fail the event with the reason; a rate limit ends the batch")
    func errors() async throws {
        let state = try ScratchDirectory()
        let clock = FakeClock()
        let retryAt = clock.now() / 1000 + 30
        let pipedrive = FakePipedrive(
            .init(scriptedErrors: [
                .permanent(message: "type: not an active activity type"),
                .retryable(message: "rate limited", retryAt: retryAt),
            ]))
        let process = try Process(state: state, pipedrive: pipedrive, clock: clock)
        try await process.enqueue([eventLine(id: "C1"), eventLine(id: "C2"), eventLine(id: "C3")])
        let report = try await process.flusher.flush()
        #expect(report.failed == 1)
        #expect(report.retried == 1)
        #expect(report.stoppedEarly)
        #expect(report.pending == 2)
        #expect(try await process.outbox.item(key: "chat:C1")?.lastError == "type: not an active activity type")
        // C2 waits at least until Pipedrive's retry time; C3 was never claimed.
        #expect(try await process.outbox.claimNext(kind: "event", now: retryAt * 1000 - 1)?.key == "chat:C3")
    }

    @Test(
        "unknown contacts follow events.unknown_contact",
        arguments: [
            (EventSettings.UnknownContact.skip, 0, 1),
            (.logWithoutPerson, 1, 0),
            (.createPerson(nameTemplate: "Visitor {contact}"), 1, 0),
        ] as [(EventSettings.UnknownContact, Int, Int)])
    func unknownContacts(rule: EventSettings.UnknownContact, created: Int, skipped: Int) async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive()
        var settings = EventSettings(stateDirectory: state.path)
        settings.unknownContact = rule
        let contacts = FakeContacts()
        let process = try Process(
            state: state, pipedrive: pipedrive, clock: FakeClock(), settings: settings, contacts: contacts)
        try await process.enqueue([eventLine(id: "C1", phone: "0401234567", email: nil)])
        let report = try await process.flusher.flush()
        #expect(report.created == created)
        #expect(report.skipped == skipped)
        let draft = pipedrive.activities.values.first
        if case .createPerson = rule {
            let persons = pipedrive.state.withLock { $0.persons }
            #expect(persons.values.sorted() == ["Visitor +358401234567"])
            #expect(draft?.personID == persons.keys.first)
            #expect(contacts.created.withLock { $0 } == Array(persons.keys))
        } else if created == 1 {
            #expect(draft?.personID == nil && draft?.organizationID == nil)
        }
    }

    @Test("an agent without a Pipedrive user: skipped, or logged under the default user")
    func unmappedAgents() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive()
        let skipping = try Process(state: state, pipedrive: pipedrive, clock: FakeClock())
        try await skipping.enqueue([eventLine(id: "C1", agent: "ghost@example.com")])
        #expect(try await skipping.flusher.flush().skipped == 1)
        #expect(try await skipping.outbox.item(key: "chat:C1")?.lastError?.contains("ghost@example.com") == true)

        let other = try ScratchDirectory()
        let defaulting = try Process(
            state: other, pipedrive: pipedrive, clock: FakeClock(),
            unmappedAgent: .logUnderDefaultUser(email: "desk@example.com"))
        try await defaulting.enqueue([eventLine(id: "C2", agent: "ghost@example.com")])
        #expect(try await defaulting.flusher.flush().created == 1)
        #expect(pipedrive.activities.values.first?.ownerID == 9)
    }

    @Test("a batch is paced: one request every 125 ms, never more than 16 in 2 s")
    func pacing() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive()
        let clock = FakeClock()
        let process = try Process(state: state, pipedrive: pipedrive, clock: clock)
        try await process.enqueue((1...50).map { eventLine(id: "C\($0)") })
        #expect(try await process.flusher.flush().created == 50)
        let wakeups = clock.wakeups
        #expect(wakeups.count == 50)
        for (earlier, later) in zip(wakeups, wakeups.dropFirst()) { #expect(later - earlier >= 125) }
        for (index, start) in wakeups.enumerated() {
            #expect(wakeups[index...].prefix { $0 < start + 2_000 }.count <= 16)
        }
    }

    @Test("the token budget limits a batch; the rest waits")
    func tokenBudget() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive()
        let process = try Process(state: state, pipedrive: pipedrive, clock: FakeClock())
        try await process.enqueue((1...5).map { eventLine(id: "C\($0)") })
        let report = try await process.flusher.flush(tokenBudget: 15)
        #expect(report.created == 3)
        #expect(report.pending == 2)
    }
    @Test("a request that certainly created nothing is retried without a lookup")
    func refusedBeforeProcessing() async throws {
        let state = try ScratchDirectory()
        let pipedrive = FakePipedrive(
            .init(scriptedErrors: [.retryable(message: "429", retryAt: nil, mayHaveReachedPipedrive: false)]))
        let clock = FakeClock()
        let process = try Process(state: state, pipedrive: pipedrive, clock: clock)
        try await process.enqueue([eventLine(id: "C1")])
        #expect(try await process.flusher.flush().retried == 1)
        #expect(try await process.journal.count() == 0)
        clock.advance(milliseconds: 3_600_000)
        #expect(try await process.flusher.flush().created == 1)
        #expect(pipedrive.lookups == 0)
    }

    @Test("client errors: what is retried, what fails, what needs no lookup")
    func clientErrors() {
        let reset = Date(timeIntervalSince1970: 1_795_183_600)
        #expect(
            PipedriveActivityWriter.writeError(.rateLimited(retryAt: reset))
                == .retryable(
                    message: PipedriveError.rateLimited(retryAt: reset).description, retryAt: 1_795_183_600,
                    mayHaveReachedPipedrive: false))
        guard case .retryable(_, nil, true) = PipedriveActivityWriter.writeError(.transport(.timedOut)) else {
            Issue.record("a timeout may have reached Pipedrive")
            return
        }
        guard case .permanent = PipedriveActivityWriter.writeError(.invalidRequest(status: 400, message: "type")) else {
            Issue.record("a 400 is permanent")
            return
        }
    }

    @Test("the client's fields carry the draft's UTC date, time and whole-minute duration")
    func clientFields() {
        let draft = ActivityDraft(
            subject: "s", type: "chat", ownerID: 1, personID: 2, organizationID: 3, dueDate: "2026-11-20",
            dueTime: "14:05", duration: "01:03", note: "n", marker: "m")
        let fields = PipedriveActivityWriter.fields(for: draft)
        #expect(fields.due == Date(timeIntervalSince1970: 1_795_183_500))
        #expect(fields.duration == .seconds(3_780))
        #expect(fields.done == true && fields.personID == 2 && fields.organizationID == 3 && fields.ownerID == 1)
    }
}
