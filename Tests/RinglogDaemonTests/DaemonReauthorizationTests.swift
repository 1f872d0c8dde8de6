import Foundation
import RinglogCore
import RinglogTestSupport
import Testing

/// A refresh token revoked while calls wait: they stay queued, `status` says so, and all are written once
/// `ringlog auth` has run again.
@Suite("Daemon re-authorisation", .serialized)
struct DaemonReauthorizationTests {
    func authorize(configuration: URL, simulator: PipedriveSimulator, log: URL) async throws -> Int32 {
        let code = try await simulator.authorizationCode()
        let auth = try startRinglog(["auth", "--config", configuration.path, "--code", code], log: log)
        #expect(wait(for: auth, atMost: 30))
        return auth.terminationStatus
    }

    func statusText(configuration: URL, directory: URL) throws -> String {
        let output = directory.appendingPathComponent("status.txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = ringlogExecutable
        process.arguments = ["status", "--config", configuration.path]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        _ = wait(for: process, atMost: 30)
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    @Test("calls wait while the refresh token is revoked and are all written after re-authorisation")
    func revokedRefreshToken() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let secret = directory.appendingPathComponent("client-secret")
        try Data("ringlog-test-secret\n".utf8).write(to: secret)
        chmod(secret.path, 0o600)
        let configuration = directory.appendingPathComponent("tenant.json")
        let text = """
            {"tenant": "oauth", "state_dir": "\(directory.path)/state", "log_level": "info",
             "pipedrive": {"base_url": "\(simulator.baseURL)",
                           "oauth": {"client_id": "ringlog-test-client", "client_secret_file": "\(secret.path)",
                                     "redirect_uri": "http://127.0.0.1/callback",
                                     "authorize_url": "\(simulator.baseURL)/oauth/authorize",
                                     "token_url": "\(simulator.baseURL)/oauth/token"}},
             "hep": {"listen": "127.0.0.1:39062"},
             "policy": {"unmapped_extension": "default_user", "default_user_email": "aino.admin@ringlog-test.example"}}
            """
        try Data(text.utf8).write(to: configuration)
        let log = directory.appendingPathComponent("ringlog.log")
        #expect(try await authorize(configuration: configuration, simulator: simulator, log: log) == 0)

        try await simulator.control("POST", "/_sim/oauth/revoke-refresh-tokens")
        try await simulator.control("POST", "/_sim/oauth/expire-access-tokens")
        let capture = directory.appendingPathComponent("calls.hep")
        try Data(SyntheticCalls.capture(count: 5)).write(to: capture)
        let daemon = try startRinglog(["run", "--config", configuration.path, "--replay", capture.path], log: log)
        defer {
            if daemon.isRunning {
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
            }
        }
        var status = ""
        for _ in 0..<100 where !(status.contains("needs re-authorisation") && status.contains("pending:       5")) {
            try await Task.sleep(for: .milliseconds(200))
            status = try statusText(configuration: configuration, directory: directory)
        }
        #expect(status.contains("needs re-authorisation"))
        #expect(status.contains("pending:       5"))
        #expect(try await simulator.callLogs().isEmpty)
        #expect(daemon.isRunning)

        #expect(try await authorize(configuration: configuration, simulator: simulator, log: log) == 0)
        #expect(wait(for: daemon, atMost: 60))
        #expect(daemon.terminationStatus == 0)
        let logs = try await simulator.callLogs()
        #expect(logs.count == 5)
        #expect(try statusText(configuration: configuration, directory: directory).contains("logged:        5"))
    }
}
