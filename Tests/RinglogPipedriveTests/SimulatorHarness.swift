import Foundation
import Synchronization

@testable import RinglogPipedrive

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Runs the Pipedrive simulator (Tests/PipedriveSimulator/pdsim.py) as a child process on 127.0.0.1.
///
/// `RINGLOG_PDSIM` may point at another pdsim.py. Tests that need it use
/// `.enabled(if: SimulatorHarness.isAvailable)` and are skipped when it is missing.
final class SimulatorHarness: Sendable {
    /// The simulator script, when it exists.
    static let scriptPath: String? = {
        if let override = ProcessInfo.processInfo.environment["RINGLOG_PDSIM"], !override.isEmpty {
            return FileManager.default.fileExists(atPath: override) ? override : nil
        }
        // #filePath is Tests/RinglogPipedriveTests/SimulatorHarness.swift: the package root is two levels up.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Tests/PipedriveSimulator/pdsim.py").path
        return FileManager.default.fileExists(atPath: script) ? script : nil
    }()

    /// Whether simulator tests can run.
    static var isAvailable: Bool { scriptPath != nil }

    /// The seed's credentials.
    static let apiToken = "test-api-token"
    static let secondUserToken = "test-api-token-user2"
    static let clientID = "ringlog-test-client"
    static let clientSecret = "ringlog-test-secret"
    static let redirectURI = "http://127.0.0.1/callback"

    /// The simulator's base URL, e.g. `http://127.0.0.1:38101`.
    let baseURL: URL
    private let process: Process
    private let directory: TemporaryDirectory
    private let transport = URLSessionTransport.shared

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    private init(baseURL: URL, process: Process, directory: TemporaryDirectory) {
        self.baseURL = baseURL
        self.process = process
        self.directory = directory
    }

    /// Starts a simulator, runs `body` with it, and stops it by PID whatever happens.
    static func with<Result: Sendable>(
        _ body: (SimulatorHarness) async throws -> Result
    ) async throws -> Result {
        let simulator = try await start()
        do {
            let result = try await body(simulator)
            simulator.stop()
            return result
        } catch {
            simulator.stop()
            throw error
        }
    }

    private static func start() async throws -> SimulatorHarness {
        guard let script = scriptPath else { throw StartFailure(description: "pdsim.py not found") }
        let directory = try TemporaryDirectory()
        let portFile = directory.path + "/port"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Processes spawned from the test runner's threads inherit a signal mask that blocks SIGTERM and
        // SIGINT (Dispatch worker threads block them), so the simulator would never see SIGTERM. Unblock
        // them before running the script.
        let launcher = """
            import os, runpy, signal, sys
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
            sys.argv = sys.argv[1:]
            sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
            runpy.run_path(sys.argv[0], run_name="__main__")
            """
        process.arguments = ["python3", "-c", launcher, script, "--port", "0", "--port-file", portFile]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"  // never write __pycache__ into the source tree
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Bounded wait for the port file: 600 × 50 ms, generous for a loaded machine.
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0,
                let url = URL(string: "http://127.0.0.1:\(port)")
            {
                return SimulatorHarness(baseURL: url, process: process, directory: directory)
            }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        stop(process)
        directory.cleanUp()
        throw StartFailure(description: "the simulator did not report its port")
    }

    /// Stops the simulator: SIGTERM, then SIGKILL if it lingers.
    func stop() {
        Self.stop(process)
        directory.cleanUp()
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        for _ in 0..<200 where process.isRunning { usleep(25_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    // MARK: - Control API

    /// Calls the control API and returns the decoded JSON.
    @discardableResult
    func control(_ method: String, _ path: String, json: Any? = nil) async throws -> Any {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await transport.send(request)
        guard (200..<300).contains(response.statusCode) else {
            throw StartFailure(description: "\(method) \(path) answered \(response.statusCode)")
        }
        return data.isEmpty ? [:] : try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// The request log.
    func requests() async throws -> [[String: Any]] {
        try await control("GET", "/_sim/requests") as? [[String: Any]] ?? []
    }

    /// API requests only (no OAuth, no control calls).
    func apiRequests() async throws -> [[String: Any]] {
        try await requests().filter { ($0["path"] as? String)?.hasPrefix("/api/") == true }
    }

    /// Replaces the fault configuration.
    func setFaults(_ faults: [String: Any]) async throws { try await control("POST", "/_sim/faults", json: faults) }

    /// Merges behaviour settings.
    func configure(_ config: [String: Any]) async throws { try await control("POST", "/_sim/config", json: config) }

    /// The simulator's state snapshot.
    func state() async throws -> [String: Any] { try await control("GET", "/_sim/state") as? [String: Any] ?? [:] }

    /// A valid authorisation code for the seed's OAuth client.
    func authorizationCode(state: String = "s") async throws -> String {
        let answer = try await control(
            "POST", "/_sim/oauth/code", json: ["redirect_uri": Self.redirectURI, "state": state])
        guard let code = (answer as? [String: Any])?["code"] as? String else {
            throw StartFailure(description: "no code from /_sim/oauth/code")
        }
        return code
    }

    /// The seed's OAuth client, with this simulator as OAuth server.
    var oauthCredentials: OAuthClientCredentials {
        OAuthClientCredentials(
            clientID: Self.clientID, clientSecret: Self.clientSecret, redirectURI: Self.redirectURI,
            authorizeURL: baseURL.appendingPathComponent("oauth/authorize"),
            tokenURL: baseURL.appendingPathComponent("oauth/token"))
    }

    /// A client with the seed's API token; the clock is injected so waits cost no time.
    func apiTokenClient(
        token: String = apiToken, clock: TestClock = TestClock(Date()),
        transport: any HTTPTransport = URLSessionTransport.shared
    ) -> PipedriveClient {
        PipedriveClient(
            configuration: .init(baseURL: baseURL), credentials: .apiToken(token), transport: transport,
            now: clock.nowFunction, sleep: clock.sleepFunction)
    }
}
