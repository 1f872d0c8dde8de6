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

    /// A fresh, short run directory (Kamailio's control socket path must stay short).
    public static func makeRunDirectory() throws -> String {
        let path = "/tmp/ringlog-lab-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
