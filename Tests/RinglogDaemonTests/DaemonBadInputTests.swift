import Foundation
import RinglogTestSupport
import Testing

/// `ringlog run` given bad input: a configuration with a wrong key, a state directory it cannot use, and a
/// disk that fills up under the outbox. It must say what is wrong and what to do, refuse new work loudly, and
/// lose nothing it already accepted.
@Suite("Daemon with bad input", .serialized)
struct DaemonBadInputTests {
    /// A configuration with one wrong key, and the key path the error must name.
    struct BadKey: Sendable, CustomTestStringConvertible {
        var json: String
        var key: String
        var testDescription: String { key }
    }

    /// A valid configuration with `fragment` (one key) added at the end; `STATE` stands for the state directory.
    static func configuration(_ fragment: String) -> String {
        #"{"tenant": "t", "state_dir": "STATE", "#
            + #""pipedrive": {"base_url": "http://127.0.0.1:9", "api_token_file": "/nonexistent"}, "# + fragment + "}"
    }

    static let badKeys = [
        BadKey(json: #"{"tenant": "t", "state_dir": 5}"#, key: "state_dir"),
        BadKey(json: configuration(#""hep": {"listen": "nowhere"}"#), key: "hep.listen"),
        BadKey(
            json: configuration(#""policy": {"unmapped_extension": "sometimes"}"#), key: "policy.unmapped_extension"),
        BadKey(json: configuration(#""site": {"extension_pattern": "1(\\d"}"#), key: "site.extension_pattern"),
        BadKey(json: configuration(#""colour": "blue""#), key: "colour"),
    ]

    @Test("a configuration with a wrong key is refused with exit 78, naming the key", arguments: badKeys)
    func wrongKey(_ bad: BadKey) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = directory.appendingPathComponent("tenant.json")
        let state = directory.appendingPathComponent("state")
        try Data(bad.json.replacingOccurrences(of: "STATE", with: state.path).utf8).write(to: configuration)
        let result = try RinglogBinary.run(["run", "--config", configuration.path])
        #expect(result.status == 78, "\(result.error)")
        #expect(result.error.contains(bad.key), "\(result.error)")
        #expect(!FileManager.default.fileExists(atPath: state.path), "a refused configuration created its state_dir")
    }

    @Test("a state directory ringlog's user cannot read is refused with exit 73 and what to check")
    func unreadableStateDirectory() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let configuration = try writeConfiguration(in: directory, simulator: simulator)
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: false)
        chmod(state.path, 0o000)
        defer { chmod(state.path, 0o700) }
        let capture = directory.appendingPathComponent("calls.hep")
        try Data(SyntheticCalls.capture(count: 1)).write(to: capture)

        var arguments = ["run", "--config", configuration.path, "--replay", capture.path]
        var executable = RinglogBinary.url.path
        if getuid() == 0 {
            // Root reads every directory: run ringlog as `nobody`, as a service user would, with its
            // configuration and token readable by that user only.
            let nobody: UInt32 = 65_534
            chown(directory.path, nobody, nobody)
            for file in ["tenant.json", "token", "calls.hep"] {
                chown(directory.appendingPathComponent(file).path, nobody, nobody)
            }
            arguments = ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", executable] + arguments
            executable = "/usr/bin/setpriv"
        }
        let log = directory.appendingPathComponent("run.log").path
        let result = try await ChildProcess.run(executable, arguments, logPath: log, limit: 60)
        #expect(result.status == 73, "\(result.output)")
        #expect(result.output.contains("cannot open the state directory \(state.path)"), "\(result.output)")
        #expect(result.output.contains("check that it exists, belongs to ringlog's user and is writable"))
        #expect(try await simulator.callLogs().isEmpty)
    }

    @Test(
        "a full disk under the outbox: new calls are REFUSED loudly, accepted ones are all written once later",
        .timeLimit(.minutes(5)))
    func fullDisk() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let configuration = try writeConfiguration(in: directory, simulator: simulator, logLevel: "info")
        let count = 600
        let capture = directory.appendingPathComponent("calls.hep")
        try Data(SyntheticCalls.capture(count: count)).write(to: capture)

        // The disk fills: no file of ringlog may grow past 160 KiB (RLIMIT_FSIZE), so the outbox's write-ahead
        // log soon cannot take another call. Writes then fail with EFBIG as on a full disk (SIGXFSZ ignored).
        let limitedLog = directory.appendingPathComponent("full.log").path
        let limited = try ChildProcess(
            executable: "/bin/sh",
            arguments: [
                "-c", #"trap '' XFSZ; exec /usr/bin/prlimit --fsize=163840:163840 -- "$@""#, "sh",
                RinglogBinary.url.path, "run", "--config", configuration.path, "--replay", capture.path,
            ],
            outputPath: directory.appendingPathComponent("full.out").path, errorPath: limitedLog)
        defer { limited.stopNow() }
        // Bounded: the replay is read (every call accepted or refused) within 60 s.
        for _ in 0..<1200 where limited.isRunning && !limited.errorOutput.contains("replay read:") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let fullOutput = limited.errorOutput
        #expect(fullOutput.contains("replay read: \(count) call(s)"), "\(fullOutput.suffix(3000))")
        await limited.stop(grace: 20)
        let writtenWhileFull = try await simulator.callLogs().count

        let refused = Self.refusedCallIDs(in: fullOutput)
        let accepted = Set((0..<count).map(SyntheticCalls.callID)).subtracting(refused)
        #expect(!refused.isEmpty, "no call was refused: \(fullOutput.suffix(3000))")
        #expect(!accepted.isEmpty, "no call was accepted: \(fullOutput.suffix(3000))")
        #expect(fullOutput.contains("free space in the state directory; calls already queued are safe"))
        #expect(writtenWhileFull < accepted.count, "every accepted call was written before the disk filled")

        // Space again: a restart without the limit writes every accepted call and then exits by itself (its
        // capture holds no call).
        let empty = directory.appendingPathComponent("empty.hep")
        try Data([0x48, 0x45, 0x50, 0x33, 0x00, 0x06]).write(to: empty)
        let restartLog = directory.appendingPathComponent("restart.log").path
        let restart = try await ChildProcess.run(
            RinglogBinary.url.path, ["run", "--config", configuration.path, "--replay", empty.path],
            logPath: restartLog, limit: 120)
        #expect(restart.status == 0, "\(restart.output.suffix(3000))")

        var perCall: [String: Int] = [:]
        for log in try await simulator.callLogs() {
            guard let note = log["note"] as? String, let range = note.range(of: "ringlog-call-id: ") else { continue }
            let callID = String(note[range.upperBound...].prefix { $0 != " " && $0 != "<" })
            perCall[callID, default: 0] += 1
        }
        #expect(Set(perCall.keys) == accepted, "refused but written: \(Set(perCall.keys).intersection(refused))")
        #expect(perCall.values.allSatisfy { $0 == 1 }, "written more than once: \(perCall.filter { $0.value > 1 })")
    }

    /// The Call-IDs of `REFUSED call CALL-ID START: …` lines.
    static func refusedCallIDs(in log: String) -> Set<String> {
        var callIDs: Set<String> = []
        for line in log.split(separator: "\n") {
            guard let range = line.range(of: "REFUSED call ") else { continue }
            callIDs.insert(String(line[range.upperBound...].prefix { $0 != " " }))
        }
        return callIDs
    }
}
