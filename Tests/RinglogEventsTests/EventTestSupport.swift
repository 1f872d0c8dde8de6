import Foundation
import RinglogCore
import RinglogEvents
import RinglogStore
import Synchronization

/// A temporary directory removed when the value is released.
final class ScratchDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ringlog-events-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(path)/\(name)"))
    }

    func read(_ name: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: "\(path)/\(name)"))).map { String(decoding: $0, as: UTF8.self) }
    }

    func names(_ subdirectory: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: subdirectory.isEmpty ? path : "\(path)/\(subdirectory)"))
            ?? []).sorted()
    }
}

/// A clock that never waits: sleeping moves time forward; every wake-up time is recorded.
final class FakeClock: EventClock {
    private let state: Locked<(now: Int64, wakeups: [Int64])>

    init(now: Int64 = 1_795_183_509_000) {
        state = Locked((now, []))
    }

    func now() -> Int64 { state.withLock { $0.now } }

    func sleep(until milliseconds: Int64) async throws {
        state.withLock {
            $0.now = max($0.now, milliseconds)
            $0.wakeups.append(milliseconds)
        }
    }

    func advance(milliseconds: Int64) { state.withLock { $0.now += milliseconds } }

    var wakeups: [Int64] { state.withLock { $0.wakeups } }
}

/// Pipedrive as far as the flush worker sees it: activities and persons in memory, with scripted failures.
final class FakePipedrive: ActivityWriter {
    struct State {
        var activities: [Int: ActivityDraft] = [:]
        var persons: [Int: String] = [:]
        var nextID = 100
        var posts = 0
        var lookups = 0
        /// The process "dies" right after the Nth successful POST of this instance: the activity exists but
        /// the answer never reaches ringlog.
        var crashAfterPost: Int?
        /// Errors thrown by the next POSTs, in order (before anything is created).
        var scriptedErrors: [ActivityWriteError] = []
        /// Errors thrown after the activity was created (a lost answer).
        var lostAnswers = 0
    }

    let state: Locked<State>

    init(_ state: State = State()) {
        self.state = Locked(state)
    }

    func createActivity(_ draft: ActivityDraft) async throws -> Int {
        enum Outcome {
            case created(Int)
            case failed(ActivityWriteError)
            case crashed
        }
        let outcome: Outcome = state.withLock { state in
            state.posts += 1
            if !state.scriptedErrors.isEmpty { return .failed(state.scriptedErrors.removeFirst()) }
            let id = state.nextID
            state.nextID += 1
            state.activities[id] = draft
            if state.lostAnswers > 0 {
                state.lostAnswers -= 1
                return .failed(.retryable(message: "connection closed before the answer", retryAt: nil))
            }
            if let crash = state.crashAfterPost {
                if crash <= 1 { return .crashed }
                state.crashAfterPost = crash - 1
            }
            return .created(id)
        }
        switch outcome {
        case .created(let id): return id
        case .failed(let error): throw error
        case .crashed: throw CancellationError()
        }
    }

    func findActivity(matching draft: ActivityDraft, since: Int64) async throws -> Int? {
        state.withLock { state in
            state.lookups += 1
            return state.activities.filter {
                $0.value.note.contains(draft.marker) && $0.value.ownerID == draft.ownerID
                    && $0.value.personID == draft.personID
            }.keys.min()
        }
    }

    func createPerson(name: String, phone: String?, email: String?, ownerID: Int?) async throws -> Int {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.persons[id] = name
            return id
        }
    }

    var activities: [Int: ActivityDraft] { state.withLock { $0.activities } }
    var posts: Int { state.withLock { $0.posts } }
    var lookups: Int { state.withLock { $0.lookups } }
    func setCrash(afterPost count: Int?) { state.withLock { $0.crashAfterPost = count } }
}

/// A directory with fixed matches.
final class FakeContacts: ContactLookup {
    let byPhone: [String: EventTarget]
    let byEmail: [String: EventTarget]
    let created = Locked<[Int]>([])

    init(byPhone: [String: EventTarget] = [:], byEmail: [String: EventTarget] = [:]) {
        self.byPhone = byPhone
        self.byEmail = byEmail
    }

    func contact(e164: String?, email: String?, userID: Int?) async -> EventTarget? {
        if let e164, let target = byPhone[e164] { return target }
        if let email, let target = byEmail[email] { return target }
        return nil
    }

    func didCreatePerson(id: Int, phone e164: String?, email: String?, name: String) async {
        created.withLock { $0.append(id) }
    }
}

/// Fixed users.
struct FakeUsers: UserLookup {
    var users: [String: Int]

    func userID(email: String) async throws -> Int? { users[email.lowercased()] }
}

/// One event line.
func eventLine(
    kind: String = "chat", id: String, phone: String? = nil, email: String? = "liisa@example.fi",
    agent: String = "anna@example.com", extra: String = ""
) -> String {
    var fields = [
        "\"kind\":\"\(kind)\"", "\"id\":\"\(id)\"", "\"direction\":\"incoming\"", "\"time\":\"2026-11-20T14:05:09Z\"",
        "\"agent_email\":\"\(agent)\"",
    ]
    if let phone { fields.append("\"phone\":\"\(phone)\"") }
    if let email { fields.append("\"email\":\"\(email)\"") }
    if !extra.isEmpty { fields.append(extra) }
    return "{" + fields.joined(separator: ",") + "}"
}
