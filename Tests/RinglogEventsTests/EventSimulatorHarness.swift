import Foundation
import RinglogPipedrive

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The Pipedrive simulator (Tests/PipedriveSimulator/pdsim.py) as a child process on 127.0.0.1, stopped by PID.
final class EventSimulator: Sendable {
    /// The simulator script, when it exists (`RINGLOG_PDSIM` may point at another one).
    static let scriptPath: String? = {
        if let override = ProcessInfo.processInfo.environment["RINGLOG_PDSIM"], !override.isEmpty {
            return FileManager.default.fileExists(atPath: override) ? override : nil
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Tests/PipedriveSimulator/pdsim.py").path
        return FileManager.default.fileExists(atPath: script) ? script : nil
    }()

    /// Whether simulator tests can run.
    static var isAvailable: Bool { scriptPath != nil }

    let baseURL: URL
    private let process: Process
    private let scratch: ScratchDirectory

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private init(baseURL: URL, process: Process, scratch: ScratchDirectory) {
        self.baseURL = baseURL
        self.process = process
        self.scratch = scratch
    }

    /// Starts a simulator, runs `body`, and stops the simulator whatever happens.
    static func with<Result: Sendable>(_ body: (EventSimulator) async throws -> Result) async throws -> Result {
        let simulator = try await start()
        defer { simulator.stop() }
        return try await body(simulator)
    }

    private static func start() async throws -> EventSimulator {
        guard let script = scriptPath else { throw Failure(description: "pdsim.py not found") }
        let scratch = try ScratchDirectory()
        let portFile = scratch.path + "/port"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Threads of the test runner block SIGTERM; the child inherits the mask, so unblock it first.
        let launcher = """
            import os, runpy, signal, sys
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
            sys.argv = sys.argv[1:]
            sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
            runpy.run_path(sys.argv[0], run_name="__main__")
            """
        process.arguments = ["python3", "-c", launcher, script, "--port", "0", "--port-file", portFile]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Bounded wait for the port file: 600 × 50 ms.
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0,
                let url = URL(string: "http://127.0.0.1:\(port)")
            {
                return EventSimulator(baseURL: url, process: process, scratch: scratch)
            }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        stop(process)
        throw Failure(description: "the simulator did not report its port")
    }

    func stop() { Self.stop(process) }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        for _ in 0..<200 where process.isRunning { usleep(25_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// A client with the seed's API token (user 1).
    func client(transport: URLSessionTransport = .shared) -> PipedriveClient {
        PipedriveClient(
            configuration: .init(baseURL: baseURL), credentials: .apiToken("test-api-token"), transport: transport)
    }

    /// Calls the control API and returns the decoded JSON.
    @discardableResult
    func control(_ method: String, _ path: String, json: Any? = nil) async throws -> Any {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSessionTransport.shared.send(request)
        guard (200..<300).contains(response.statusCode) else {
            throw Failure(description: "\(method) \(path) answered \(response.statusCode)")
        }
        return data.isEmpty ? [:] : try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// The activities the simulator holds whose note carries a ringlog event marker, by marker.
    func eventActivities() async throws -> [String: [[String: Any]]] {
        let state = try await control("GET", "/_sim/state") as? [String: Any] ?? [:]
        var byMarker: [String: [[String: Any]]] = [:]
        for activity in state["activities"] as? [[String: Any]] ?? [] {
            guard let note = activity["note"] as? String, let range = note.range(of: "ringlog-event:") else {
                continue
            }
            let marker = String(note[range.lowerBound...].prefix { $0 != "<" })
            byMarker[marker, default: []].append(activity)
        }
        return byMarker
    }

    /// API requests of the log.
    func apiRequests() async throws -> [[String: Any]] {
        (try await control("GET", "/_sim/requests") as? [[String: Any]] ?? []).filter {
            ($0["path"] as? String)?.hasPrefix("/api/") == true
        }
    }
}
