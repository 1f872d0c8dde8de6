import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Pipedrive simulator (Tests/PipedriveSimulator/pdsim.py) as a child process on a free loopback port;
/// ``stop()`` ends it by its PID.
final class SimulatorProcess {
    let process = Process()
    let port: Int
    let directory: URL

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    init(directory: URL) throws {
        self.directory = directory
        let portFile = directory.appendingPathComponent("pdsim.port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.packageRoot.appendingPathComponent("Tests/PipedriveSimulator/pdsim.py").path, "--port", "0",
            "--port-file", portFile.path,
        ]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var found: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                found = value
                break
            }
            usleep(50_000)
        }
        guard let found else {
            process.terminate()
            process.waitUntilExit()
            throw SimulatorFailure("the simulator did not start within 15 s")
        }
        port = found
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    /// Sends a control request and returns the decoded JSON answer.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any {
        guard let url = URL(string: baseURL + path) else { throw SimulatorFailure("bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data)
    }

    /// The simulator's call logs.
    func callLogs() async throws -> [[String: Any]] {
        let state = try await control("GET", "/_sim/state") as? [String: Any]
        return state?["call_logs"] as? [[String: Any]] ?? []
    }
}

struct SimulatorFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A temporary directory removed at the end.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-daemon-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The built `ringlog` binary (next to the test bundle).
var ringlogExecutable: URL {
    var directory = Bundle.main.bundleURL
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("ringlog")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory.deleteLastPathComponent()
    }
    return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ringlog")
}

/// Writes a tenant configuration for the simulator (API token of user 1 in a 0600 file).
func writeConfiguration(
    in directory: URL, simulator: SimulatorProcess, extra: String = "", hepPort: Int = 39_061,
    logLevel: String = "warning"
) throws -> URL {
    let token = directory.appendingPathComponent("token")
    try Data("test-api-token\n".utf8).write(to: token)
    chmod(token.path, 0o600)
    let configuration = directory.appendingPathComponent("tenant.json")
    let text = """
        {"tenant": "test", "region": "FI", "state_dir": "\(directory.path)/state", "log_level": "\(logLevel)",
         "pipedrive": {"base_url": "\(simulator.baseURL)", "api_token_file": "\(token.path)"},
         "hep": {"listen": "127.0.0.1:\(hepPort)"},
         "policy": {"unmapped_extension": "default_user", "default_user_email": "aino.admin@ringlog-test.example",
                    "unknown_caller": "log_without_person"}\(extra)}
        """
    try Data(text.utf8).write(to: configuration)
    return configuration
}

/// Starts `ringlog` with `arguments`; standard error goes to `log`.
func startRinglog(_ arguments: [String], log: URL) throws -> Process {
    let process = Process()
    process.executableURL = ringlogExecutable
    process.arguments = arguments
    if !FileManager.default.fileExists(atPath: log.path) {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: log)
    handle.seekToEndOfFile()
    process.standardError = handle
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    return process
}

/// Waits for `process` at most `seconds`; kills it (SIGKILL) and returns `false` when it is still running.
func wait(for process: Process, atMost seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }
    return true
}
