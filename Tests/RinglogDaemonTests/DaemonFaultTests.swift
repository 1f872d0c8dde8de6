import Foundation
import RinglogCore
import RinglogTestSupport
import Testing

/// `ringlog run` against the Pipedrive simulator with faults on, killed with SIGKILL again and again:
/// every call must end up logged exactly once.
@Suite("Daemon under faults", .serialized)
struct DaemonFaultTests {
    @Test("1000 calls, 5xx, 429 bursts, slow answers, dropped connections and 20 SIGKILLs: each logged once")
    func exactlyOnceAcrossKills() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        try await simulator.control("POST", "/_sim/config", json: ["burst_limit_api_token": 100_000])
        try await simulator.control(
            "POST", "/_sim/faults",
            json: [
                "error_rate": 0.05, "drop_rate": 0.02, "slow_rate": 0.02, "slow_ms": 300, "burst_429": 30,
                "retry_after": 1, "fault_phase": "after", "random_seed": 7,
            ])
        let count = 1000
        let capture = directory.appendingPathComponent("calls.hep")
        try Data(SyntheticCalls.capture(count: count)).write(to: capture)
        let configuration = try writeConfiguration(in: directory, simulator: simulator)
        let log = directory.appendingPathComponent("ringlog.log")
        let arguments = ["run", "--config", configuration.path, "--replay", capture.path]

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<20 {
            let process = try startRinglog(arguments, log: log)
            usleep(UInt32.random(in: 200_000...1_500_000, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
        }
        // The last run must drain everything by itself.
        let last = try startRinglog(arguments, log: log)
        let finished = wait(for: last, atMost: 150)
        #expect(finished, "the last run did not finish; see \(log.path)")
        #expect(last.terminationStatus == 0)
        #expect(kills >= 15)

        try await simulator.control("POST", "/_sim/faults", json: [:])
        let logs = try await simulator.callLogs()
        var perCall: [String: Int] = [:]
        for entry in logs {
            guard let note = entry["note"] as? String, let range = note.range(of: "ringlog-call-id: synthetic-") else {
                continue
            }
            let rest = note[range.upperBound...]
            let index = String(rest.prefix(while: { $0.isNumber }))
            perCall[index, default: 0] += 1
        }
        let missing = (0..<count).filter { perCall[String($0)] == nil }
        let duplicated = perCall.filter { $0.value > 1 }
        #expect(missing.isEmpty, "calls never logged: \(missing.prefix(20))")
        #expect(duplicated.isEmpty, "calls logged more than once: \(duplicated.prefix(20))")
        #expect(logs.count == count)
        if !missing.isEmpty || !duplicated.isEmpty {
            print((try? String(contentsOf: log, encoding: .utf8))?.suffix(4000) ?? "")
        }
    }
}
