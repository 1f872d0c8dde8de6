import Foundation
import RinglogCore
import RinglogEvents
import RinglogStore
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `ringlog-bench events`: takes N generated chat and ticket events in through the intake, then flushes them
/// into the Pipedrive simulator as one batch, and reports the pace and the cost that the simulator measured.
///
/// The simulator's clock is frozen and moved forward by the flush worker's waits, so its burst-window
/// accounting sees exactly the pace ringlog keeps, however fast or loaded the machine is.
enum EventsBenchmark: Benchmark {
    static let name = "events"
    static let summary = "intake and a paced flush of N events into the Pipedrive simulator"
    static let usage =
        "events --base-url http://127.0.0.1:PORT [--count N] [--seed FILE]  (scripts/bench-events starts the simulator)"

    static func run(_ arguments: [String]) throws {
        var baseURL: String?
        var count = 10_000
        var seedPath = "Tests/PipedriveSimulator/seed.json"
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "-h", "--help":
                print("usage: ringlog-bench \(usage)")
                return
            case "--base-url": baseURL = remaining.popFirst()
            case "--seed": seedPath = remaining.popFirst() ?? seedPath
            case "--count":
                guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                    throw BenchmarkFailure(description: "--count needs a positive whole number")
                }
                count = value
            default: throw BenchmarkFailure(description: "unknown argument '\(argument)'")
            }
        }
        guard let baseURL, let base = URL(string: baseURL) else {
            throw BenchmarkFailure(description: "--base-url is required, e.g. http://127.0.0.1:8080")
        }
        let seed = try SimulatorSeed(path: seedPath)
        let result = Locked<Result<String, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let text = try await measure(count: count, base: base, seed: seed)
                result.withLock { $0 = .success(text) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch result.withLock({ $0 }) {
        case .success(let text)?: print(text)
        case .failure(let error)?: throw error
        case nil: throw BenchmarkFailure(description: "the benchmark did not finish")
        }
    }

    private static func measure(count: Int, base: URL, seed: SimulatorSeed) async throws -> String {
        let simulator = SimulatorControl(base: base)
        try await simulator.post("/_sim/reset", [:])
        try await simulator.post("/_sim/clock", ["freeze": .bool(true)])
        try await simulator.post("/_sim/faults", ["daily_budget": .number(Double(count * 10 + 10_000))])

        let state = NSTemporaryDirectory() + "ringlog-bench-events-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: state) }
        let outbox = try Outbox(directory: state)
        let intake = EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: "\(state)/rejected.jsonl"))
        let lines = (0..<count).map { seed.eventLine(number: $0) }.joined(separator: "\n")
        let clock = SimulatorClock(simulator: simulator, start: 1_795_183_509_000)
        let intakeStart = monotonicSeconds()
        let summary = try await intake.ingest(bytes: Array(lines.utf8), origin: "bench", now: { clock.now() })
        let intakeSeconds = monotonicSeconds() - intakeStart
        guard summary.accepted == count else {
            throw BenchmarkFailure(description: "intake accepted \(summary.accepted) of \(count): \(summary.text)")
        }

        let flusher = EventFlusher(
            dependencies: .init(
                outbox: outbox, journal: try EventSendJournal(directory: state),
                writer: SimulatorActivityWriter(simulator: simulator), contacts: seed.contacts, users: seed.users,
                clock: clock),
            settings: EventSettings(
                spoolDirectory: "\(state)/spool", activityTypes: [.chat: "whatsapp_chat", .ticket: "email"],
                rejectedFile: "\(state)/rejected.jsonl"),
            unmappedAgent: .skip, normalizer: PhoneNumberNormalizer(region: .finland))
        let flushStart = monotonicSeconds()
        let report = try await flusher.flush()
        let flushSeconds = monotonicSeconds() - flushStart

        let measured = try await simulator.requestLog()
        let plan = BatchPacingPlan(eventCount: count)
        let simulatedMinutes = Double(clock.now() - 1_795_183_509_000) / 60_000
        return """
            events: \(count) (intake: \(summary.accepted) accepted in \(format(intakeSeconds)) s, \
            \(Int(Double(count) / intakeSeconds)) per second)
            flush: created \(report.created), failed \(report.failed), retried \(report.retried), \
            skipped \(report.skipped)
            flush wall-clock: \(format(flushSeconds)) s (simulator clock advanced by the pacing only)
            paced duration (simulator time): \(format(simulatedMinutes)) min; \
            \(Int(Double(report.created) / max(simulatedMinutes, 1e-9))) events per minute (plan: \(plan.eventsPerMinute))
            API requests: \(measured.requests); answered 429: \(measured.rateLimited); \
            with validation violations: \(measured.violations)
            busiest rolling 2-s window (simulator time): \(measured.busiestWindow) requests \
            (limit 20 for an API token on Lite; plan: \(plan.busiestWindow))
            tokens spent: \(measured.tokens); per event: \(format(Double(measured.tokens) / Double(max(1, report.created))))
            """
    }

    private static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// The simulator's control API and request log.
private struct SimulatorControl: Sendable {
    let base: URL
    let session = URLSession(configuration: .ephemeral)

    func post(_ path: String, _ body: [String: JSONValue]) async throws {
        _ = try await send("POST", path, body: JSONValue.object(body).canonicalJSON)
    }

    func send(_ method: String, _ path: String, body: [UInt8]?, token: Bool = false) async throws -> (Int, Data) {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if token { request.setValue("test-api-token", forHTTPHeaderField: "x-api-token") }
        let (data, response) = try await session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    struct Measured {
        var requests = 0
        var rateLimited = 0
        var violations = 0
        var tokens = 0
        var busiestWindow = 0
    }

    func requestLog() async throws -> Measured {
        let (_, data) = try await send("GET", "/_sim/requests", body: nil)
        guard let log = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw BenchmarkFailure(description: "the simulator's request log is not a JSON array")
        }
        var measured = Measured()
        var times: [Double] = []
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for entry in log where (entry["path"] as? String)?.hasPrefix("/api/") == true {
            measured.requests += 1
            if entry["status"] as? Int == 429 { measured.rateLimited += 1 }
            if let violations = entry["violations"] as? [Any], !violations.isEmpty { measured.violations += 1 }
            measured.tokens += entry["token_cost"] as? Int ?? 0
            if let text = entry["time"] as? String, let date = formatter.date(from: text) {
                times.append(date.timeIntervalSince1970)
            }
        }
        times.sort()
        var start = 0
        for end in times.indices {
            while times[end] - times[start] >= 2 { start += 1 }
            measured.busiestWindow = max(measured.busiestWindow, end - start + 1)
        }
        return measured
    }
}

/// Milliseconds of simulated time: waiting advances the simulator's frozen clock instead of sleeping.
private final class SimulatorClock: EventClock {
    private let simulator: SimulatorControl
    private let current: Locked<Int64>

    init(simulator: SimulatorControl, start: Int64) {
        self.simulator = simulator
        current = Locked(start)
    }

    func now() -> Int64 { current.withLock { $0 } }

    func sleep(until milliseconds: Int64) async throws {
        let delta = current.withLock { now in
            defer { now = max(now, milliseconds) }
            return milliseconds - now
        }
        if delta > 0 { try await simulator.post("/_sim/clock", ["advance": .number(Double(delta) / 1000)]) }
    }
}

/// `POST /api/v2/activities` with the simulator's API token: just enough for the benchmark.
private struct SimulatorActivityWriter: ActivityWriter {
    let simulator: SimulatorControl

    func createActivity(_ draft: ActivityDraft) async throws -> Int {
        var body: [String: JSONValue] = [
            "subject": .string(draft.subject), "type": .string(draft.type), "done": .bool(draft.done),
            "due_date": .string(draft.dueDate), "due_time": .string(draft.dueTime), "note": .string(draft.note),
        ]
        if let owner = draft.ownerID { body["owner_id"] = .number(Double(owner)) }
        if let person = draft.personID {
            body["participants"] = .array([.object(["person_id": .number(Double(person)), "primary": .bool(true)])])
        }
        if let organization = draft.organizationID { body["org_id"] = .number(Double(organization)) }
        if let duration = draft.duration { body["duration"] = .string(duration) }
        let (status, data) = try await simulator.send(
            "POST", "/api/v2/activities", body: JSONValue.object(body).canonicalJSON, token: true)
        guard status == 200, let envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let activity = envelope["data"] as? [String: Any], let id = activity["id"] as? Int
        else {
            let text = String(decoding: data.prefix(300), as: UTF8.self)
            if status == 429 || status >= 500 { throw ActivityWriteError.retryable(message: text, retryAt: nil) }
            throw ActivityWriteError.permanent(message: "HTTP \(status): \(text)")
        }
        return id
    }

    func findActivity(matching draft: ActivityDraft, since: Int64) async throws -> Int? { nil }

    func createPerson(name: String, phone: String?, email: String?, ownerID: Int?) async throws -> Int {
        throw ActivityWriteError.permanent(message: "the benchmark logs unknown contacts without a person")
    }
}

/// The simulator's seed: users and persons, matched with ringlog's own contact index.
private struct SimulatorSeed: Sendable {
    struct Contacts: ContactLookup {
        let index: ContactIndex

        func contact(e164: String?, email: String?, userID: Int?) async -> EventTarget? {
            var candidates = e164.flatMap(PhoneKey.init(e164:)).map(index.entries(for:)) ?? []
            if candidates.isEmpty, let email { candidates = index.entries(forEmail: email) }
            guard let choice = SharedNumberPolicy.choose(among: candidates, openDeals: [], userID: userID) else {
                return nil
            }
            return EventTarget(ownerID: userID, personID: choice.personID, organizationID: choice.organizationID)
        }

        func didCreatePerson(id: Int, phone e164: String?, email: String?, name: String) async {}
    }

    struct Users: UserLookup {
        let byEmail: [String: Int]
        func userID(email: String) async throws -> Int? { byEmail[email.lowercased()] }
    }

    let contacts: Contacts
    let users: Users
    let agentEmails: [String]
    let phones: [String]
    let emails: [String]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path),
            let seed = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw BenchmarkFailure(description: "cannot read the simulator seed \(path)") }
        var byEmail: [String: Int] = [:]
        for user in seed["users"] as? [[String: Any]] ?? [] where user["active_flag"] as? Bool != false {
            if let id = user["id"] as? Int, let email = user["email"] as? String { byEmail[email.lowercased()] = id }
        }
        var index = ContactIndex(normalizer: PhoneNumberNormalizer(region: .finland))
        var phones: [String] = []
        var emails: [String] = []
        func values(_ field: Any?) -> [String] {
            (field as? [Any] ?? []).compactMap { ($0 as? String) ?? (($0 as? [String: Any])?["value"] as? String) }
        }
        for person in seed["persons"] as? [[String: Any]] ?? [] {
            guard let id = person["id"] as? Int else { continue }
            let personPhones = values(person["phones"])
            let personEmails = values(person["emails"])
            index.upsert(
                DirectoryPerson(
                    id: id, name: person["name"] as? String ?? "", organizationID: person["org_id"] as? Int,
                    phones: personPhones, emails: personEmails))
            phones += personPhones
            emails += personEmails
        }
        guard !byEmail.isEmpty, !phones.isEmpty else {
            throw BenchmarkFailure(description: "the seed \(path) has no active users or no phones")
        }
        contacts = Contacts(index: index)
        users = Users(byEmail: byEmail)
        agentEmails = byEmail.keys.sorted()
        self.phones = phones
        self.emails = emails.isEmpty ? ["nobody@example.com"] : emails
    }

    /// Event `number`: tickets and chats in turn, known and unknown contacts, long texts with emoji.
    func eventLine(number: Int) -> String {
        let kind = number % 2 == 0 ? "chat" : "ticket"
        let agent = agentEmails[number % agentEmails.count]
        let contact: String
        switch number % 5 {
        case 0, 1: contact = "\"phone\":\"\(phones[number % phones.count])\""
        case 2, 3: contact = "\"email\":\"\(emails[number % emails.count])\""
        default: contact = "\"email\":\"visitor\(number)@example.net\""
        }
        let content = String(repeating: "Päivää 👋🏽 order \(number) ", count: 1 + number % 20)
        let second = String(number % 60)
        let time = "2026-11-20T08:\(String(number / 60 % 60).leftPadded):\(second.leftPadded)Z"
        let extra =
            kind == "chat"
            ? ",\"duration_seconds\":\(number % 3600),\"source\":\"widget\",\"queue\":\"sales\""
            : ",\"subject\":\"Order \(number)\",\"source\":\"e-mail\""
        return
            "{\"kind\":\"\(kind)\",\"id\":\"bench-\(number)\",\"direction\":\"\(number % 3 == 0 ? "outgoing" : "incoming")\","
            + "\"time\":\"\(time)\",\"agent_email\":\"\(agent)\",\(contact),\"content\":\"\(content)\""
            + ",\"link\":\"https://desk.example.com/\(kind)/\(number)\"\(extra)}"
    }
}

extension String {
    fileprivate var leftPadded: String { count < 2 ? "0" + self : self }
}
