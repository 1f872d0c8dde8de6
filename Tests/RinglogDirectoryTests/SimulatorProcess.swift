import Foundation
import RinglogPipedrive

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The package root, found from this file's path (Tests/RinglogDirectoryTests/SimulatorProcess.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A test failure while preparing the simulator; the message says what went wrong.
struct SimulatorSetupFailure: Error, CustomStringConvertible {
    var description: String
}

/// A temporary directory, removed by ``remove()``.
struct ScratchDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ringlog-directory-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The Pipedrive simulator (Tests/PipedriveSimulator/pdsim.py) as a child process on 127.0.0.1, with a seed
/// file; always stopped by its PID.
final class SimulatorProcess: Sendable {
    static let script = packageRoot + "/Tests/PipedriveSimulator/pdsim.py"
    static let seedGenerator = packageRoot + "/Tests/PipedriveSimulator/make_seed.py"
    /// Whether the simulator and python3 are there.
    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: script)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }
    /// The seed's API token (user 1).
    static let apiToken = "test-api-token"

    /// The simulator's base URL.
    let baseURL: URL
    private let process: Process

    private init(baseURL: URL, process: Process) {
        self.baseURL = baseURL
        self.process = process
    }

    /// Writes a big seed with `make_seed.py` to `seedPath` and its ground truth to `truthPath`.
    static func makeSeed(persons: Int, seed: Int, seedPath: String, truthPath: String) throws {
        _ = FileManager.default.createFile(atPath: seedPath, contents: nil)
        guard let output = FileHandle(forWritingAtPath: seedPath) else {
            throw SimulatorSetupFailure(description: "cannot write \(seedPath)")
        }
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [seedGenerator, "--persons", String(persons), "--seed", String(seed), "--truth", truthPath]
        process.environment = ["PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SimulatorSetupFailure(description: "make_seed.py exited with \(process.terminationStatus)")
        }
    }

    /// Starts a simulator on `seedPath`, runs `body`, and stops it by PID whatever happens.
    static func with<Result: Sendable>(
        seedPath: String, in scratch: ScratchDirectory, _ body: (SimulatorProcess) async throws -> Result
    ) async throws -> Result {
        let simulator = try await start(seedPath: seedPath, portFile: scratch.path + "/port")
        do {
            let result = try await body(simulator)
            simulator.stop()
            return result
        } catch {
            simulator.stop()
            throw error
        }
    }

    private static func start(seedPath: String, portFile: String) async throws -> SimulatorProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        // Threads of the test runner block SIGTERM/SIGINT and children inherit the mask: unblock them so
        // the simulator stops on SIGTERM.
        let launcher = """
            import os, runpy, signal, sys
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
            sys.argv = sys.argv[1:]
            sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
            runpy.run_path(sys.argv[0], run_name="__main__")
            """
        process.arguments = ["-c", launcher, script, "--port", "0", "--port-file", portFile, "--seed", seedPath]
        process.environment = ["PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Bounded wait for the port file (a 10,000-person seed takes a moment to load): 1200 × 50 ms.
        for _ in 0..<1200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0,
                let url = URL(string: "http://127.0.0.1:\(port)")
            {
                return SimulatorProcess(baseURL: url, process: process)
            }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        stop(process)
        throw SimulatorSetupFailure(description: "the simulator did not report its port")
    }

    /// Stops the simulator: SIGTERM, then SIGKILL if it lingers.
    func stop() { Self.stop(process) }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        for _ in 0..<200 where process.isRunning { usleep(25_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// Calls the control API (or, with `token`, the API) and returns the answer's body.
    @discardableResult
    func call(_ method: String, _ pathAndQuery: String, json: Any? = nil, token: String? = nil) async throws -> Data {
        guard let url = URL(string: baseURL.absoluteString + pathAndQuery) else {
            throw SimulatorSetupFailure(description: "bad path \(pathAndQuery)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue(token, forHTTPHeaderField: "x-api-token") }
        let (data, response) = try await URLSessionTransport.shared.send(request)
        guard (200..<300).contains(response.statusCode) else {
            throw SimulatorSetupFailure(description: "\(method) \(pathAndQuery) answered \(response.statusCode)")
        }
        return data
    }

    /// A client with the seed's API token.
    func client() -> PipedriveClient {
        PipedriveClient(
            configuration: .init(baseURL: baseURL), credentials: .apiToken(Self.apiToken),
            transport: URLSessionTransport.shared)
    }
}
