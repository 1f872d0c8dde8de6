import Foundation
import RinglogTestSupport
import Testing

/// A temporary directory removed at the end.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-daemon-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The built `ringlog` binary (next to the test bundle).
var ringlogExecutable: URL { RinglogBinary.url }

/// Writes a tenant configuration for the simulator (API token of user 1 in a 0600 file).
func writeConfiguration(
    in directory: URL, simulator: PipedriveSimulator, extra: String = "", hepPort: Int = 39_061,
    logLevel: String = "warning"
) throws -> URL {
    let token = directory.appendingPathComponent("token")
    try Data("\(PipedriveSimulator.apiToken)\n".utf8).write(to: token)
    chmod(token.path, 0o600)
    let configuration = directory.appendingPathComponent("tenant.json")
    let text = """
        {"tenant": "test", "region": "FI", "state_dir": "\(directory.path)/state", "log_level": "\(logLevel)",
         "pipedrive": {"base_url": "\(simulator.baseURL.absoluteString)", "api_token_file": "\(token.path)"},
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
    // Returns at once; without it Foundation keeps the finished Process and its file handles alive (the
    // address sanitizer's leak check reports them).
    process.waitUntilExit()
    return true
}

/// Runs `ringlog` to the end (bounded: 60 s) and returns its exit status and standard output.
func runRinglog(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let output = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let process = Process()
    process.executableURL = ringlogExecutable
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    #expect(wait(for: process, atMost: 60))
    return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
}
