import Foundation
import RinglogCore
import RinglogTestSupport
import Testing

/// `ringlog run`, `status` and `trace` as an operator uses them, against the Pipedrive simulator.
@Suite("Daemon commands", .serialized)
struct DaemonCommandTests {
    @Test("check reaches Pipedrive, names e-mails without an active user, and tries the HEP port")
    func onlineCheck() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let configuration = try writeConfiguration(
            in: directory, simulator: simulator,
            extra: #", "users": {"1001": "AINO.admin@ringlog-test.example", "1009": "nobody@example.com"}"#)
        let result = try runRinglog(["check", "--config", configuration.path], in: directory)
        #expect(result.status == 0)
        #expect(result.output.contains("ok    pipedrive: reachable at"))
        #expect(result.output.contains("warn  users.1009: nobody@example.com has no active Pipedrive user"))
        #expect(!result.output.contains("users.1001:"))
        #expect(result.output.contains("hep.listen"))
        simulator.stop()
        let offline = try runRinglog(["check", "--config", configuration.path], in: directory)
        #expect(offline.status == 69)
        #expect(try runRinglog(["check", "--config", configuration.path, "--offline"], in: directory).status == 0)
    }

    @Test("a malformed configuration is refused with exit 78")
    func malformedConfiguration() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = directory.appendingPathComponent("bad.json")
        try Data(#"{"tenant": "x", "state_dir": 5"#.utf8).write(to: configuration)
        #expect(try runRinglog(["run", "--config", configuration.path], in: directory).status == 78)
    }

    @Test("a state directory that cannot be created is refused with exit 73")
    func unusableStateDirectory() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let configuration = try writeConfiguration(in: directory, simulator: simulator)
        // state_dir is <dir>/state; make it a regular file so that nothing can be created under it.
        try Data("not a directory".utf8).write(to: directory.appendingPathComponent("state"))
        let capture = directory.appendingPathComponent("calls.hep")
        try Data(SyntheticCalls.capture(count: 1)).write(to: capture)
        let result = try runRinglog(["run", "--config", configuration.path, "--replay", capture.path], in: directory)
        #expect(result.status == 73)
    }

    @Test("replayed calls are written; status and trace show them, also as Prometheus text")
    func statusAndTrace() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let configuration = try writeConfiguration(in: directory, simulator: simulator)
        let capture = directory.appendingPathComponent("calls.hep")
        try Data(SyntheticCalls.capture(count: 5)).write(to: capture)
        let dryRun = try runRinglog(
            ["run", "--config", configuration.path, "--replay", capture.path, "--dry-run"], in: directory)
        #expect(dryRun.status == 0)
        #expect(dryRun.output.split(separator: "\n").count == 5)
        #expect(try await simulator.callLogs().isEmpty)

        let run = try runRinglog(["run", "--config", configuration.path, "--replay", capture.path], in: directory)
        #expect(run.status == 0)
        let logs = try await simulator.callLogs()
        #expect(logs.count == 5)
        for log in logs {
            #expect(log["outcome"] as? String == "connected")
            #expect(log["user_id"] as? Int == 1)
        }
        let durations = Set(logs.compactMap { $0["duration"] as? String })
        #expect(durations == Set((0..<5).map { String(SyntheticCalls.talkSeconds($0)) }))

        let prometheus = directory.appendingPathComponent("ringlog.prom")
        let status = try runRinglog(
            ["status", "--config", configuration.path, "--prometheus", prometheus.path], in: directory)
        #expect(status.status == 0)
        #expect(status.output.contains("logged:        5"))
        #expect(status.output.contains("daemon:        not running"))
        let metrics = try String(contentsOf: prometheus, encoding: .utf8)
        #expect(metrics.contains("ringlog_calls{state=\"logged\"} 5"))

        let trace = try runRinglog(["trace", "--config", configuration.path, SyntheticCalls.callID(2)], in: directory)
        #expect(trace.status == 0)
        #expect(trace.output.contains("state: done"))
        #expect(trace.output.contains("written: call log CA"))
        #expect(trace.output.contains("default user 1"))
        let unknown = try runRinglog(["trace", "--config", configuration.path, "nobody@nowhere"], in: directory)
        #expect(unknown.status == 65)
    }

    @Test("HEP over UDP: calls are written while the daemon runs, and SIGTERM stops it with exit 0")
    func hepIntakeAndCleanStop() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let port = 39_000 + Int.random(in: 100..<900)
        let configuration = try writeConfiguration(
            in: directory, simulator: simulator, hepPort: port, logLevel: "notice")
        let log = directory.appendingPathComponent("ringlog.log")
        let daemon = try startRinglog(["run", "--config", configuration.path], log: log)
        defer {
            if daemon.isRunning {
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
            }
        }
        // Calls that ended a minute ago, so that the tracker closes them at its next tick.
        let start = UInt32(Date().timeIntervalSince1970) - 60
        let capture = SyntheticCalls.capture(count: 3, start: start)
        var sent = false
        for _ in 0..<100 where !sent {
            usleep(100_000)
            sent = sendDatagrams(capture, toPort: UInt16(port), whenListening: log)
        }
        #expect(sent)
        var logs: [[String: Any]] = []
        for _ in 0..<150 where logs.count < 3 {
            try await Task.sleep(for: .milliseconds(200))
            logs = try await simulator.callLogs()
        }
        #expect(logs.count == 3)

        // A datagram that is not HEP is counted, shown by `status` and warned about in the log.
        let garbage: [UInt8] = [0x48, 0x45, 0x50, 0x33, 0x00, 0x10] + Array(repeating: 0xFF, count: 10)
        #expect(sendDatagrams(garbage, toPort: UInt16(port), whenListening: log))
        var statusText = ""
        for _ in 0..<100 where !statusText.contains("malformed 1") {
            try await Task.sleep(for: .milliseconds(200))
            statusText = try runRinglog(["status", "--config", configuration.path], in: directory).output
        }
        #expect(statusText.contains("malformed 1, wrong or missing capture password 0, not SIP 0"), "\(statusText)")
        let warned = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(warned.contains("HEP: 0 packet(s) with a wrong or missing capture password and 1 malformed"))

        kill(daemon.processIdentifier, SIGTERM)
        #expect(wait(for: daemon, atMost: 20))
        #expect(daemon.terminationStatus == 0)
    }

    /// Sends each HEP packet of `capture` as one UDP datagram once the daemon logged that it listens.
    func sendDatagrams(_ capture: [UInt8], toPort port: UInt16, whenListening log: URL) -> Bool {
        guard let text = try? String(contentsOf: log, encoding: .utf8), text.contains("listening for HEP") else {
            return false
        }
        return sendHEPDatagrams(capture, toPort: port)
    }
}
