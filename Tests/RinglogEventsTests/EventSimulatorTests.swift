import Foundation
import RinglogCore
import RinglogEvents
import RinglogPipedrive
import RinglogStore
import RinglogTestSupport
import Synchronization
import Testing

@Suite("Event flush against the Pipedrive simulator", .enabled(if: PipedriveSimulator.isAvailable), .serialized)
struct EventSimulatorTests {
    private static let agent = "aino.admin@ringlog-test.example"

    /// One ringlog process on `state`, writing through the real client into the simulator.
    private struct Process {
        let outbox: Outbox
        let flusher: EventFlusher
        let intake: EventIntake

        init(
            state: ScratchDirectory, simulator: PipedriveSimulator, writer: (any ActivityWriter)? = nil,
            unknownContact: EventSettings.UnknownContact = .logWithoutPerson
        ) async throws {
            let normalizer = PhoneNumberNormalizer(region: .finland)
            let directory = try Directory(directory: state.path, normalizer: normalizer)
            // Person 1 of the seed (organisation 1), as the directory's sync would store it.
            try await directory.insert(
                DirectoryPerson(
                    id: 1, name: "Matti Kalastaja", organizationID: 1, phones: ["040 012 4387"],
                    emails: ["matti@kalastaja.example"]),
                updatedAt: "2026-01-05T08:00:00Z")
            let client = simulator.client()
            outbox = try Outbox(directory: state.path)
            var settings = EventSettings(stateDirectory: state.path)
            settings.activityTypes = [.chat: "whatsapp_chat", .ticket: "email"]
            settings.unknownContact = unknownContact
            intake = EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: settings.rejectedFile))
            flusher = EventFlusher(
                dependencies: .init(
                    outbox: outbox, journal: try EventSendJournal(directory: state.path),
                    writer: writer ?? PipedriveActivityWriter(client: client),
                    contacts: DirectoryContactLookup(directory: directory),
                    users: PipedriveUserLookup(client: client), clock: SystemEventClock()),
                settings: settings, unmappedAgent: .skip, normalizer: normalizer)
        }

        func ingest(_ lines: [String]) async throws -> IntakeSummary {
            let clock = SystemEventClock()
            return try await intake.ingest(
                bytes: Array(lines.joined(separator: "\n").utf8), origin: "test", now: { clock.now() })
        }
    }

    private static let longContent = String(repeating: "Päivää 👋🏽 ", count: 40) + "& <b>"

    private static let ticket =
        #"{"kind":"ticket","id":"T-1","direction":"incoming","time":"2026-11-20T16:05:09+02:00","agent_email":"AINO.admin@ringlog-test.example","email":"Matti@Kalastaja.example","subject":"Tilaus 🚤 42","content":"\#(longContent)","source":"e-mail","link":"https://desk.example.com/t/1?a=1&b=2"}"#
    private static let chat =
        #"{"kind":"chat","id":"C-1","direction":"outgoing","time":"2026-11-20T14:05:09Z","agent_email":"aino.admin@ringlog-test.example","phone":"+358 40 0124387","source":"widget","queue":"sales","duration_seconds":125,"content":"Kiitos!"}"#
    private static let visitor =
        #"{"kind":"chat","id":"C-2","direction":"incoming","time":"2026-11-20T14:06:00Z","agent_email":"aino.admin@ringlog-test.example","email":"visitor@example.net"}"#

    @Test(
        "fields, truncation and matching as Pipedrive stores them; rejected lines never reach it; no request breaks the spec"
    )
    func mapping() async throws {
        try await PipedriveSimulator.with { simulator in
            let state = try ScratchDirectory()
            let process = try await Process(state: state, simulator: simulator)
            let broken = #"{"kind":"chat","id":"C-9","direction":"incoming","time":"today","agent_email":"x@y.fi"}"#
            let summary = try await process.ingest([Self.ticket, Self.chat, broken, Self.visitor])
            #expect(summary.accepted == 3)
            #expect(summary.rejected == 1)
            #expect(state.read("rejected.jsonl")?.contains(#""line_number":3"#) == true)
            let report = try await process.flusher.flush()
            #expect(report.created == 3)

            let activities = try await simulator.eventActivities()
            let ticket = try #require(activities["ringlog-event:ticket:T-1"]?.first)
            #expect(ticket["type"] as? String == "email")
            #expect(ticket["done"] as? Bool == true)
            #expect(ticket["owner_id"] as? Int == 1)
            #expect(ticket["person_id"] as? Int == 1)
            #expect(ticket["org_id"] as? Int == 1)
            #expect(ticket["due_date"] as? String == "2026-11-20")
            #expect((ticket["due_time"] as? String)?.hasPrefix("14:05") == true)
            #expect(ticket["subject"] as? String == "Tilaus 🚤 42")
            let note = try #require(ticket["note"] as? String)
            let cut = EventText.truncate(Self.longContent)
            #expect(cut.count == 256)
            #expect(note.contains("<p>" + EventText.escapeHTML(cut) + "</p>"))
            #expect(note.contains("From: matti@kalastaja.example"))
            #expect(note.contains(#"href="https://desk.example.com/t/1?a=1&amp;b=2""#))

            let chat = try #require(activities["ringlog-event:chat:C-1"]?.first)
            #expect(chat["type"] as? String == "whatsapp_chat")
            #expect(chat["person_id"] as? Int == 1)
            #expect((chat["duration"] as? String)?.hasPrefix("00:03") == true)

            let visitor = try #require(activities["ringlog-event:chat:C-2"]?.first)
            #expect(visitor["person_id"] is NSNull || visitor["person_id"] == nil)

            let posts = try await simulator.apiRequests().filter { $0["path"] as? String == "/api/v2/activities" }
            #expect(posts.count == 3)
            for post in posts {
                #expect((post["violations"] as? [Any])?.isEmpty == true)
                #expect(post["status"] as? Int == 200)
            }
        }
    }

    @Test("create_person: an unknown contact becomes a person once, and the activity is on it")
    func createPerson() async throws {
        try await PipedriveSimulator.with { simulator in
            let state = try ScratchDirectory()
            let process = try await Process(
                state: state, simulator: simulator, unknownContact: .createPerson(nameTemplate: "Visitor {contact}"))
            let second =
                #"{"kind":"ticket","id":"T-2","direction":"incoming","time":"2026-11-20T14:07:00Z","agent_email":"aino.admin@ringlog-test.example","email":"visitor@example.net"}"#
            _ = try await process.ingest([Self.visitor, second])
            #expect(try await process.flusher.flush().created == 2)
            let state2 = try await simulator.control("GET", "/_sim/state") as? [String: Any] ?? [:]
            let visitors = (state2["persons"] as? [[String: Any]] ?? []).filter {
                $0["name"] as? String == "Visitor visitor@example.net"
            }
            #expect(visitors.count == 1)
            let personID = try #require(visitors.first?["id"] as? Int)
            let activities = try await simulator.eventActivities()
            #expect(activities["ringlog-event:chat:C-2"]?.first?["person_id"] as? Int == personID)
            #expect(activities["ringlog-event:ticket:T-2"]?.first?["person_id"] as? Int == personID)
        }
    }

    @Test("the same events handed in again are duplicates: nothing is written twice")
    func dedupe() async throws {
        try await PipedriveSimulator.with { simulator in
            let state = try ScratchDirectory()
            let process = try await Process(state: state, simulator: simulator)
            _ = try await process.ingest([Self.ticket, Self.chat])
            #expect(try await process.flusher.flush().created == 2)
            let again = try await Process(state: state, simulator: simulator)
            let summary = try await again.ingest([Self.ticket, Self.chat])
            #expect(summary.duplicates == 2 && summary.accepted == 0)
            #expect(try await again.flusher.flush().created == 0)
            let activities = try await simulator.eventActivities()
            #expect(activities.count == 2)
            #expect(activities.values.allSatisfy { $0.count == 1 })
        }
    }

    @Test(
        "a crash while a POST is out: the next run finds or sends the event, one activity per event, none failed",
        arguments: ["after", "before"])
    func crashMidFlush(faultPhase: String) async throws {
        try await PipedriveSimulator.with { simulator in
            let state = try ScratchDirectory()
            // The third POST is dropped by the simulator after (or before) it created the activity, and the
            // process dies before it stores an answer.
            let crashing = CrashingWriter(
                inner: PipedriveActivityWriter(client: simulator.client()), simulator: simulator,
                faultPhase: faultPhase,
                crashAtPost: 3)
            let first = try await Process(state: state, simulator: simulator, writer: crashing)
            let lines = (1...6).map { number in
                #"{"kind":"chat","id":"K-\#(number)","direction":"incoming","time":"2026-11-20T14:05:09Z","agent_email":"\#(Self.agent)","email":"matti@kalastaja.example"}"#
            }
            #expect(try await first.ingest(lines).accepted == 6)
            await #expect(throws: CancellationError.self) { _ = try await first.flusher.flush() }
            #expect(try await simulator.eventActivities().count == (faultPhase == "after" ? 3 : 2))
            #expect(try await first.outbox.item(key: "chat:K-3")?.state == .sending)

            let second = try await Process(state: state, simulator: simulator)
            let report = try await second.flusher.flush()
            #expect(report.reconciled == (faultPhase == "after" ? 1 : 0))
            #expect(report.created == (faultPhase == "after" ? 3 : 4))
            #expect(report.failed == 0)
            let activities = try await simulator.eventActivities()
            #expect(activities.keys.sorted() == (1...6).map { "ringlog-event:chat:K-\($0)" })
            #expect(activities.values.allSatisfy { $0.count == 1 })
            #expect(try await second.outbox.counts(kind: EventIntake.outboxKind) == [.done: 6])
            let recovered = try await second.outbox.item(key: "chat:K-3")
            let activityID = try #require(activities["ringlog-event:chat:K-3"]?.first?["id"] as? Int)
            #expect(recovered?.result == "{\"activity_id\":\(activityID)}")

            // One lookup (the interrupted event only), within the spec.
            let lookups = try await simulator.apiRequests().filter {
                $0["method"] as? String == "GET" && $0["path"] as? String == "/api/v2/activities"
            }
            #expect(lookups.count == 1)
            #expect((lookups.first?["violations"] as? [Any])?.isEmpty == true)
            #expect(lookups.first?["status"] as? Int == 200)
        }
    }
}

@Suite("Activity types of events")
struct EventActivityTypeCheckTests {
    private let available = [
        ActivityType(id: 1, name: "Call", keyString: "call"), ActivityType(id: 5, name: "Email", keyString: "email"),
        ActivityType(id: 6, name: "Lunch", keyString: "lunch", isActive: false),
        ActivityType(id: 7, name: "WhatsApp chat", keyString: "whatsapp_chat", isCustom: true),
    ]

    @Test("active keys pass; unknown and inactive keys name the key and the choices")
    func check() {
        #expect(
            EventActivityTypeCheck.problems(
                configured: [.chat: "whatsapp_chat", .ticket: "email"], available: available
            ).isEmpty)
        let problems = EventActivityTypeCheck.problems(
            configured: [.chat: "chat", .ticket: "lunch"], available: available)
        #expect(problems.map(\.key) == ["events.activity_types.chat", "events.activity_types.ticket"])
        #expect(problems[0].message.contains("not an activity type"))
        #expect(problems[0].message.contains("call, email, whatsapp_chat"))
        #expect(problems[1].message.contains("inactive"))
    }

    @Test(
        "the simulator's types, read through the client, accept the configuration the tests use",
        .enabled(if: PipedriveSimulator.isAvailable))
    func againstSimulator() async throws {
        try await PipedriveSimulator.with { simulator in
            let types = try await simulator.client().activityTypes()
            #expect(
                EventActivityTypeCheck.problems(
                    configured: [.chat: "whatsapp_chat", .ticket: "email"], available: types
                )
                .isEmpty)
            #expect(EventActivityTypeCheck.problems(configured: [:], available: types).isEmpty)
        }
    }
}

/// Passes writes through, but at the Nth POST makes the simulator drop the connection (after or before it
/// processed the request) and then "dies": the answer is never stored.
private final class CrashingWriter: ActivityWriter {
    private let inner: PipedriveActivityWriter
    /// Sends the dropped POST: the client notices the dropped connection only when its timeout ends.
    private let impatient: PipedriveActivityWriter
    private let simulator: PipedriveSimulator
    private let faultPhase: String
    private let remaining: Locked<Int>

    init(inner: PipedriveActivityWriter, simulator: PipedriveSimulator, faultPhase: String, crashAtPost: Int) {
        self.inner = inner
        impatient = PipedriveActivityWriter(
            client: simulator.client(transport: SocketHTTPTransport(timeout: .seconds(5))))
        self.simulator = simulator
        self.faultPhase = faultPhase
        remaining = Locked(crashAtPost)
    }

    func createActivity(_ draft: ActivityDraft) async throws -> Int {
        let crash = remaining.withLock { count in
            count -= 1
            return count == 0
        }
        guard crash else { return try await inner.createActivity(draft) }
        try await simulator.control("POST", "/_sim/faults", json: ["fault_phase": faultPhase, "drop_rate": 1.0])
        var answeredID: Int?
        do { answeredID = try await impatient.createActivity(draft) } catch {}
        try await simulator.control("POST", "/_sim/faults", json: ["fault_phase": "before", "drop_rate": 0.0])
        if let answeredID { Issue.record("the dropped POST was answered with activity \(answeredID)") }
        throw CancellationError()
    }

    func findActivity(matching draft: ActivityDraft, since: Int64) async throws -> Int? {
        try await inner.findActivity(matching: draft, since: since)
    }

    func createPerson(name: String, phone: String?, email: String?, ownerID: Int?) async throws -> Int {
        try await inner.createPerson(name: name, phone: phone, email: email, ownerID: ownerID)
    }
}
