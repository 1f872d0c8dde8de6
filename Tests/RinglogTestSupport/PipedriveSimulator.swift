import Foundation
import RinglogPipedrive

/// The Pipedrive simulator (Tests/PipedriveSimulator/pdsim.py) as a child process on 127.0.0.1 with a free
/// port, always stopped by its PID.
///
/// `RINGLOG_PDSIM` may point at another pdsim.py. Tests that need it use
/// `.enabled(if: PipedriveSimulator.isAvailable)`.
public final class PipedriveSimulator: Sendable {
    /// The simulator script, when it exists.
    public static let scriptPath: String? = {
        if let override = ProcessInfo.processInfo.environment["RINGLOG_PDSIM"], !override.isEmpty {
            return FileManager.default.fileExists(atPath: override) ? override : nil
        }
        let script = PackageRoot.path("Tests/PipedriveSimulator/pdsim.py")
        return FileManager.default.fileExists(atPath: script) ? script : nil
    }()

    /// The seed generator (Tests/PipedriveSimulator/make_seed.py).
    public static let seedGenerator = PackageRoot.path("Tests/PipedriveSimulator/make_seed.py")

    /// Whether simulator tests can run: the script and python3 are there.
    public static var isAvailable: Bool {
        scriptPath != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    /// The seed's API token (user 1).
    public static let apiToken = "test-api-token"
    /// The seed's API token of user 2.
    public static let secondUserToken = "test-api-token-user2"
    /// The seed's OAuth client.
    public static let clientID = "ringlog-test-client"
    /// The seed's OAuth client secret.
    public static let clientSecret = "ringlog-test-secret"
    /// The seed's OAuth redirect URI.
    public static let redirectURI = "http://127.0.0.1/callback"

    /// A simulator could not be started or answered an error.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
        /// Creates a failure.
        public init(_ description: String) { self.description = description }
    }

    /// The simulator's base URL, e.g. `http://127.0.0.1:38101`.
    public let baseURL: URL
    private let process: ChildProcess
    private let directory: String

    private init(baseURL: URL, process: ChildProcess, directory: String) {
        self.baseURL = baseURL
        self.process = process
        self.directory = directory
    }

    /// Starts a simulator (on `seedPath`, else the bundled seed) and waits, bounded, until it reports its port.
    public static func start(seedPath: String? = nil) async throws -> PipedriveSimulator {
        guard let script = scriptPath else { throw Failure("pdsim.py not found") }
        let directory = NSTemporaryDirectory() + "ringlog-pdsim-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let portFile = directory + "/port"
        var arguments = [script, "--port", "0", "--port-file", portFile]
        if let seedPath { arguments += ["--seed", seedPath] }
        let process = try ChildProcess(
            executable: "/usr/bin/python3", arguments: arguments, outputPath: directory + "/pdsim.log")
        // Bounded wait for the port file, generous for a loaded machine and a 10,000-person seed: 1200 × 50 ms.
        for _ in 0..<1200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0,
                let url = URL(string: "http://127.0.0.1:\(port)")
            {
                return PipedriveSimulator(baseURL: url, process: process, directory: directory)
            }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let log = process.output
        process.stopNow()
        try? FileManager.default.removeItem(atPath: directory)
        throw Failure("the simulator did not report its port: \(log.suffix(2000))")
    }

    /// Starts a simulator, runs `body` with it, and stops it by PID whatever happens.
    public static func with<Result: Sendable>(
        seedPath: String? = nil, _ body: (PipedriveSimulator) async throws -> Result
    ) async throws -> Result {
        let simulator = try await start(seedPath: seedPath)
        defer { simulator.stop() }
        return try await body(simulator)
    }

    /// Stops the simulator (SIGTERM, then SIGKILL if it lingers) and removes its scratch directory.
    public func stop() {
        process.stopNow(grace: 5)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether the simulator process still runs.
    public var isRunning: Bool { process.isRunning }

    /// Writes a big seed with `make_seed.py` to `seedPath` and its ground truth to `truthPath`.
    public static func makeSeed(persons: Int, seed: Int, seedPath: String, truthPath: String) async throws {
        let log = seedPath + ".log"
        let process = try ChildProcess(
            executable: "/usr/bin/python3",
            arguments: [seedGenerator, "--persons", String(persons), "--seed", String(seed), "--truth", truthPath],
            outputPath: seedPath, errorPath: log)
        var status = await process.waitForExit(atMost: 300)
        if status == nil { status = await process.stop(grace: 5) }
        guard status == 0 else {
            throw Failure("make_seed.py exited with \(status ?? -1): \(process.errorOutput.suffix(2000))")
        }
        try? FileManager.default.removeItem(atPath: log)
    }

    // MARK: - HTTP

    /// Sends a request (to the control API, or with `token` to the API) and returns the answer's body;
    /// throws when the status is not 2xx.
    @discardableResult
    public func data(_ method: String, _ pathAndQuery: String, json: Any? = nil, token: String? = nil)
        async throws -> Data
    {
        guard let url = URL(string: baseURL.absoluteString + pathAndQuery) else {
            throw Failure("bad path \(pathAndQuery)")
        }
        var request = HTTPRequest(method: method, url: url)
        if let json {
            request.body = try JSONSerialization.data(withJSONObject: json)
            request.setHeader("Content-Type", "application/json")
        }
        if let token { request.setHeader("x-api-token", token) }
        let response = try await SocketHTTPTransport.shared.send(request)
        guard (200..<300).contains(response.status) else {
            throw Failure("\(method) \(pathAndQuery) answered \(response.status)")
        }
        return response.body
    }

    /// Calls the control API and returns the decoded JSON (an empty object for an empty body).
    @discardableResult
    public func control(_ method: String, _ path: String, json: Any? = nil) async throws -> Any {
        let data = try await data(method, path, json: json)
        return data.isEmpty ? [String: Any]() : try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
    }

    /// The request log (API and OAuth requests).
    public func requests() async throws -> [[String: Any]] {
        try await control("GET", "/_sim/requests") as? [[String: Any]] ?? []
    }

    /// API requests only (no OAuth, no control calls).
    public func apiRequests() async throws -> [[String: Any]] {
        try await requests().filter { ($0["path"] as? String)?.hasPrefix("/api/") == true }
    }

    /// Replaces the fault configuration.
    public func setFaults(_ faults: [String: Any]) async throws {
        try await control("POST", "/_sim/faults", json: faults)
    }

    /// Merges behaviour settings.
    public func configure(_ config: [String: Any]) async throws {
        try await control("POST", "/_sim/config", json: config)
    }

    /// The simulator's state snapshot.
    public func state() async throws -> [String: Any] {
        try await control("GET", "/_sim/state") as? [String: Any] ?? [:]
    }

    /// The call logs the simulator holds (v1 shape).
    public func callLogs() async throws -> [[String: Any]] {
        try await state()["call_logs"] as? [[String: Any]] ?? []
    }

    /// Adds a person behind ringlog's back; returns its id.
    @discardableResult
    public func addPerson(name: String, phones: [String], organizationID: Int?, ownerID: Int = 1) async throws -> Int {
        var person: [String: Any] = ["name": name, "phones": phones, "owner_id": ownerID]
        if let organizationID { person["org_id"] = organizationID }
        let answer = try await control("POST", "/_sim/persons", json: person) as? [String: Any]
        let id = answer?["id"] as? Int ?? (answer?["data"] as? [String: Any])?["id"] as? Int
        guard let id else { throw Failure("POST /_sim/persons answered no id: \(String(describing: answer))") }
        return id
    }

    /// A valid authorisation code for the seed's OAuth client.
    public func authorizationCode(state: String = "s") async throws -> String {
        let answer = try await control(
            "POST", "/_sim/oauth/code",
            json: ["redirect_uri": Self.redirectURI, "state": state, "client_id": Self.clientID])
        guard let code = (answer as? [String: Any])?["code"] as? String else {
            throw Failure("no code from /_sim/oauth/code")
        }
        return code
    }

    /// The seed's OAuth client, with this simulator as OAuth server.
    public var oauthCredentials: OAuthClientCredentials {
        OAuthClientCredentials(
            clientID: Self.clientID, clientSecret: Self.clientSecret, redirectURI: Self.redirectURI,
            authorizeURL: baseURL.appendingPathComponent("oauth/authorize"),
            tokenURL: baseURL.appendingPathComponent("oauth/token"))
    }

    /// A client with an API token of the seed (user 1 by default).
    public func client(token: String = apiToken, transport: SocketHTTPTransport = .shared) -> PipedriveClient {
        PipedriveClient(configuration: .init(baseURL: baseURL), credentials: .apiToken(token), transport: transport)
    }
}
