import Foundation
import RinglogCore
import RinglogStore
import RinglogTestSupport
import Testing

/// `ringlog run` taking chat and ticket events from the spool and writing them in batches, against the
/// Pipedrive simulator: every event becomes one done activity, also when a batch is cut by SIGTERM and
/// the daemon starts again.
@Suite("Daemon event batches", .serialized)
struct DaemonEventBatchTests {
    private static let agent = "aino.admin@ringlog-test.example"

    /// A chat with Matti Kalastaja (person 1 of the simulator's seed, found by his number).
    private static func chat(_ id: String) -> String {
        #"{"kind":"chat","id":"\#(id)","direction":"incoming","time":"2026-11-20T14:05:09Z","#
            + #""agent_email":"\#(agent)","phone":"+358 40 0124387","source":"widget","content":"Hei \#(id)"}"#
    }

    /// Drops `lines` into the spool as the contract asks: a temporary name first, then a rename.
    private func drop(_ lines: [String], as name: String, spool: URL) throws {
        let temporary = spool.appendingPathComponent(".\(name).tmp")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: temporary)
        #expect(rename(temporary.path, spool.appendingPathComponent(name).path) == 0)
    }

    /// The simulator's activities written from events, by the event's marker (`ringlog-event:chat:ID`).
    private func eventActivities(_ simulator: PipedriveSimulator) async throws -> [String: Int] {
        let state = try await simulator.control("GET", "/_sim/state") as? [String: Any] ?? [:]
        var counts: [String: Int] = [:]
        for activity in state["activities"] as? [[String: Any]] ?? [] {
            guard let note = activity["note"] as? String, let range = note.range(of: "ringlog-event:") else {
                continue
            }
            counts[String(note[range.lowerBound...].prefix { $0 != "<" && $0 != " " }), default: 0] += 1
        }
        return counts
    }

    /// Polls `condition` every 200 ms, at most `seconds` long.
    private func eventually(_ seconds: Int, _ condition: () async throws -> Bool) async rethrows -> Bool {
        for _ in 0..<(seconds * 5) {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }

    private func status(_ configuration: URL, in directory: URL) throws -> String {
        let output = directory.appendingPathComponent("status-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = ringlogExecutable
        process.arguments = ["status", "--config", configuration.path]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        #expect(wait(for: process, atMost: 60))
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    private func writeEventConfiguration(
        in directory: URL, simulator: PipedriveSimulator, batchMinutes: String, hepPort: Int
    ) throws -> URL {
        try writeConfiguration(
            in: directory, simulator: simulator, extra: #", "events": {"batch_minutes": \#(batchMinutes)}"#,
            hepPort: hepPort, logLevel: "info")
    }

    @Test(
        "spooled events become done activities exactly once across a batch cut by SIGTERM and a restart",
        .timeLimit(.minutes(5)))
    func batchesAcrossRestart() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let port = 39_000 + Int.random(in: 100..<900)
        // 0.05 minutes: a batch every 3 s.
        var configuration = try writeEventConfiguration(
            in: directory, simulator: simulator, batchMinutes: "0.05", hepPort: port)
        let spool = directory.appendingPathComponent("state/spool")
        let log = directory.appendingPathComponent("ringlog.log")

        // First run: two events and a broken line.
        var daemon = try startRinglog(["run", "--config", configuration.path], log: log)
        defer {
            if daemon.isRunning {
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
            }
        }
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: spool.path) })
        try drop([Self.chat("C-1"), Self.chat("C-2"), #"{"kind":"chat","id":"broken"}"#], as: "a.jsonl", spool: spool)
        let firstBatch = try await eventually(60) {
            try await eventActivities(simulator) == ["ringlog-event:chat:C-1": 1, "ringlog-event:chat:C-2": 1]
        }
        #expect(firstBatch, "log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let shown = try await eventually(30) {
            try status(configuration, in: directory).contains(
                "events:        sent 2, pending 0, failed 0, skipped 0, rejected 1")
        }
        #expect(shown, "status: \((try? status(configuration, in: directory)) ?? "")")

        // A batch cut by SIGTERM: Pipedrive answers slowly, the daemon stops while the event is in flight.
        try await simulator.control("POST", "/_sim/faults", json: ["slow_rate": 1.0, "slow_ms": 6000])
        try drop([Self.chat("C-3")], as: "b.jsonl", spool: spool)
        let outbox = try Outbox(directory: directory.appendingPathComponent("state").path)
        let claimed = try await eventually(60) { (try await outbox.counts(kind: "event")[.sending] ?? 0) == 1 }
        #expect(claimed)
        try await Task.sleep(for: .seconds(1))
        kill(daemon.processIdentifier, SIGTERM)
        #expect(wait(for: daemon, atMost: 30))
        #expect(daemon.terminationStatus == 0)
        try await simulator.control("POST", "/_sim/faults", json: [String: Any]())
        // The request the daemon gave up on may still be processed: wait for the simulator to finish it.
        try await Task.sleep(for: .seconds(7))

        // Second run, with batches every 30 minutes: the file of the first run again (duplicates) and a new event;
        // a reload to 3 s batches lets them run.
        configuration = try writeEventConfiguration(
            in: directory, simulator: simulator, batchMinutes: "30", hepPort: port)
        daemon = try startRinglog(["run", "--config", configuration.path], log: log)
        try drop([Self.chat("C-1"), Self.chat("C-4")], as: "c.jsonl", spool: spool)
        let queued = try await eventually(60) { (try await outbox.counts(kind: "event")[.pending] ?? 0) >= 1 }
        #expect(queued)
        configuration = try writeEventConfiguration(
            in: directory, simulator: simulator, batchMinutes: "0.05", hepPort: port)
        kill(daemon.processIdentifier, SIGHUP)
        let expected = (1...4).reduce(into: [String: Int]()) { $0["ringlog-event:chat:C-\($1)"] = 1 }
        let secondBatch = try await eventually(60) {
            let written = try await eventActivities(simulator).count
            let done = try await outbox.counts(kind: "event")[.done] ?? 0
            return written == 4 && done == 4
        }
        #expect(secondBatch, "log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(try await eventActivities(simulator) == expected)
        #expect(try status(configuration, in: directory).contains("events:        sent 4, pending 0, failed 0"))
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("configuration reloaded"))
        #expect(text.contains("event batch: "))

        kill(daemon.processIdentifier, SIGTERM)
        #expect(wait(for: daemon, atMost: 30))
        #expect(daemon.terminationStatus == 0)
        #expect(try await eventActivities(simulator) == expected)
    }
}
