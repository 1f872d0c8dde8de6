import Foundation
import RinglogAgent
import RinglogCore
import RinglogPipedrive
import RinglogStore
import RinglogTestSupport

/// A ``CallLogWriter`` wired to the Pipedrive simulator: the seed's API token (user 1), extension 1001 →
/// user 1, 1002 → user 2, and a contact directory synchronised from the simulator.
struct SimulatorWriterHarness {
    let simulator: PipedriveSimulator
    let outbox: Outbox
    let directory: Directory
    let client: PipedriveClient
    let writer: CallLogWriter
    let settings: CallLogWriter.Settings
    let normalizer = PhoneNumberNormalizer(region: .finland)
    /// The temporary folder holding the state, when ``started(raisingBurstLimit:policy:callLogs:searchOnMiss:)``
    /// made it; ``stop()`` removes it.
    private(set) var workDirectory: URL?

    init(
        simulator: PipedriveSimulator, state: URL, policy: CallPolicy = CallPolicy(),
        callLogs: CallLogSettings = CallLogSettings(), searchOnMiss: Bool = false
    ) async throws {
        self.simulator = simulator
        settings = CallLogWriter.Settings(
            policy: policy, callLogs: callLogs, searchOnMiss: searchOnMiss,
            retry: RetryPolicy(initialDelayMilliseconds: 0, jitterFraction: 0))
        client = try Self.client(simulator, transport: SocketHTTPTransport.shared)
        outbox = try Outbox(directory: state.path)
        directory = try Directory(directory: state.path, normalizer: normalizer)
        _ = try await directory.synchronize(
            from: PipedriveDirectorySource(client: client), now: Int64(Date().timeIntervalSince1970))
        writer = Self.writer(client: client, outbox: outbox, directory: directory, settings: settings)
    }

    /// A harness over a simulator of its own and a new temporary state folder; end it with ``stop()``.
    /// - Parameter raisingBurstLimit: allow 1000 requests per 2 s instead of the seed plan's 20, for tests that
    ///   are not about rate limits.
    static func started(
        raisingBurstLimit: Bool = false, policy: CallPolicy = CallPolicy(),
        callLogs: CallLogSettings = CallLogSettings(), searchOnMiss: Bool = false
    ) async throws -> SimulatorWriterHarness {
        let directory = try makeTemporaryDirectory()
        var simulator: PipedriveSimulator?
        do {
            let started = try await PipedriveSimulator.start()
            simulator = started
            if raisingBurstLimit {
                try await started.control("POST", "/_sim/config", json: ["burst_limit_api_token": 1000])
            }
            var harness = try await SimulatorWriterHarness(
                simulator: started, state: directory.appendingPathComponent("state"), policy: policy,
                callLogs: callLogs, searchOnMiss: searchOnMiss)
            harness.workDirectory = directory
            return harness
        } catch {
            simulator?.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The state folder of a harness made by ``started(raisingBurstLimit:policy:callLogs:searchOnMiss:)``.
    var stateDirectory: URL? { workDirectory?.appendingPathComponent("state") }

    /// Stops the simulator and removes the temporary folder of a harness made by
    /// ``started(raisingBurstLimit:policy:callLogs:searchOnMiss:)``.
    func stop() {
        simulator.stop()
        if let workDirectory { try? FileManager.default.removeItem(at: workDirectory) }
    }

    /// A client of the simulator with the seed's API token (user 1) over `transport`.
    static func client(_ simulator: PipedriveSimulator, transport: some HTTPTransport) throws -> PipedriveClient {
        let baseURL = simulator.baseURL
        return PipedriveClient(
            configuration: PipedriveClient.Configuration(baseURL: baseURL), credentials: .apiToken("test-api-token"),
            transport: transport)
    }

    /// A fresh writer (as after a restart) over the harness's outbox and directory.
    static func writer(
        client: PipedriveClient, outbox: Outbox, directory: Directory, settings: CallLogWriter.Settings
    ) -> CallLogWriter {
        let users = UserDirectory(
            extensions: ["1001": "aino.admin@ringlog-test.example", "1002": "bertil.berg@ringlog-test.example"],
            fetchUsers: { try await client.users() })
        return CallLogWriter(
            outbox: outbox, client: client, users: users, directory: directory,
            normalizer: PhoneNumberNormalizer(region: .finland), settings: settings,
            logger: DaemonLogger(minimumLevel: .error), random: { 0.5 })
    }

    /// A writer whose process "dies" right after sending a request that matches `method` and `pathSuffix`:
    /// the request reaches the simulator, the answer is never stored.
    func crashingWriter(method: String, pathSuffix: String) throws -> CallLogWriter {
        let transport = CrashAfterSendTransport(method: method, pathSuffix: pathSuffix)
        return Self.writer(
            client: try Self.client(simulator, transport: transport), outbox: outbox, directory: directory,
            settings: settings)
    }

    /// A fresh writer, as after a restart.
    func restartedWriter() throws -> CallLogWriter {
        Self.writer(
            client: try Self.client(simulator, transport: SocketHTTPTransport.shared), outbox: outbox,
            directory: directory, settings: settings)
    }

    /// Queues a finished inbound call from `number` to `extensionNumber`; returns its outbox key.
    @discardableResult
    func enqueueInbound(
        callID: String, from number: String, extensionNumber: String = "1001", outcome: CallOutcome = .answered,
        endedAt: Int64 = 1_767_261_605
    ) async throws -> String {
        let answered = outcome == .answered
        let record = CallRecord(
            callID: callID, direction: .inbound, from: number, to: extensionNumber, extensionNumber: extensionNumber,
            startedAt: CaptureTime(microsecondsSinceEpoch: (endedAt - 65) * 1_000_000),
            answeredAt: answered ? CaptureTime(microsecondsSinceEpoch: (endedAt - 60) * 1_000_000) : nil,
            endedAt: CaptureTime(microsecondsSinceEpoch: endedAt * 1_000_000), ringSeconds: 5,
            talkSeconds: answered ? 60 : 0, outcome: outcome, complete: true)
        let key = CallLogKey.key(for: record)
        _ = try await outbox.enqueue(kind: CallLogWriter.kind, key: key, payload: Array(record.jsonLine.utf8), now: 0)
        return key
    }

    /// The simulator's state as JSON.
    func state() async throws -> [String: Any] {
        try await simulator.control("GET", "/_sim/state") as? [String: Any] ?? [:]
    }
}

/// Sends every request; for the one that matches, throws `CancellationError` after the answer came, as if
/// the process had died between sending and storing.
final class CrashAfterSendTransport: HTTPTransport {
    let method: String
    let pathSuffix: String

    init(method: String, pathSuffix: String) {
        self.method = method
        self.pathSuffix = pathSuffix
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer = try await SocketHTTPTransport.shared.send(request)
        if request.method == method, request.url.path.hasSuffix(pathSuffix) {
            throw CancellationError()
        }
        return answer
    }
}
