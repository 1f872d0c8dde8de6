import Foundation

/// The SIP lab's scripts (scripts/lab, docs/lab.md) run from tests: `lab start|stop`, `drive`.
public enum SIPLabScripts {
    /// Every scenario the lab plays and records (docs/lab.md, "Scenarios").
    public static let scenarios = [
        "inbound_answered", "missed", "busy", "outbound", "outbound_busy", "outbound_declined", "ring_group",
        "blind_transfer", "inbound_transfer", "click_to_call", "agent_click_to_call",
    ]

    /// The lab's programs that are not installed (empty when the lab can run): kamailio, baresip, sipp, python3.
    public static let missingPrograms: [String] = {
        let directories =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/sbin"]
        return ["kamailio", "baresip", "sipp", "python3"].filter { program in
            !directories.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
        }
    }()

    /// Runs `script` (a path under the package root, e.g. `scripts/lab/drive`) with `arguments` and extra
    /// environment variables, output and errors to `logPath`; SIGTERM after `limit` seconds, SIGKILL 10 s later.
    public static func run(
        _ script: String, _ arguments: [String], environment: [String: String], logPath: String, limit: Double
    ) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(
            PackageRoot.path(script), arguments, environment: environment, logPath: logPath, limit: limit)
    }

    /// A lab script failed; the message holds its output.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed, with the script's output.
        public var description: String
    }

    /// Starts the lab (`scripts/lab/lab start`) for `environment`, up to `attempts` times: after a failed
    /// start the half-started lab is stopped before the next try.
    public static func startLab(environment: [String: String], runDirectory: String, attempts: Int = 3)
        async throws
    {
        var output = ""
        for attempt in 1...max(1, attempts) {
            let start = try await run(
                "scripts/lab/lab", ["start"], environment: environment,
                logPath: runDirectory + "/start-\(attempt).log", limit: 90)
            if start.succeeded { return }
            output = start.output
            _ = try await run(
                "scripts/lab/lab", ["stop"], environment: environment,
                logPath: runDirectory + "/stop-after-start-\(attempt).log", limit: 60)
            try await Task.sleep(for: .seconds(2))
        }
        throw Failure(description: "scripts/lab/lab start failed: \(output)")
    }

    /// Plays `scenarios` one after another on the running lab (`scripts/lab/drive`) and returns the records
    /// they expect.
    public static func drive(_ scenarios: [String], environment: [String: String], runDirectory: String)
        async throws -> [ExpectedCallRecord]
    {
        var expected: [ExpectedCallRecord] = []
        for scenario in scenarios {
            let expectPath = runDirectory + "/expected-\(scenario).json"
            let drive = try await run(
                "scripts/lab/drive", [scenario, "--expect-out", expectPath], environment: environment,
                logPath: runDirectory + "/drive-\(scenario).log", limit: 150)
            guard drive.succeeded else {
                throw Failure(description: "scripts/lab/drive \(scenario) failed: \(drive.output)")
            }
            expected += try ExpectedCallRecord.load(path: expectPath)
        }
        return expected
    }

    /// A fresh, short run directory (Kamailio's control socket path must stay short).
    public static func makeRunDirectory() throws -> String {
        let path = "/tmp/ringlog-lab-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
