import Foundation
import RinglogAgent
import RinglogCore
import RinglogPipedrive
import RinglogStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A ``CallLogWriter`` wired to the Pipedrive simulator: the seed's API token (user 1), extension 1001 →
/// user 1, 1002 → user 2, and a contact directory synchronised from the simulator.
struct SimulatorWriterHarness {
    let simulator: SimulatorProcess
    let outbox: Outbox
    let directory: Directory
    let client: PipedriveClient
    let writer: CallLogWriter

    init(simulator: SimulatorProcess, state: URL, policy: CallPolicy = CallPolicy()) async throws {
        self.simulator = simulator
        let normalizer = PhoneNumberNormalizer(region: .finland)
        guard let baseURL = URL(string: simulator.baseURL) else { throw SimulatorFailure("bad simulator URL") }
        client = PipedriveClient(
            configuration: PipedriveClient.Configuration(baseURL: baseURL), credentials: .apiToken("test-api-token"),
            transport: URLSessionTransport.shared)
        outbox = try Outbox(directory: state.path)
        directory = try Directory(directory: state.path, normalizer: normalizer)
        _ = try await directory.synchronize(
            from: PipedriveDirectorySource(client: client), now: Int64(Date().timeIntervalSince1970))
        let client = client
        let users = UserDirectory(
            extensions: ["1001": "aino.admin@ringlog-test.example", "1002": "bertil.berg@ringlog-test.example"],
            fetchUsers: { try await client.users() })
        writer = CallLogWriter(
            outbox: outbox, client: client, users: users, directory: directory, normalizer: normalizer,
            settings: CallLogWriter.Settings(
                policy: policy,
                retry: RetryPolicy(initialDelayMilliseconds: 0, jitterFraction: 0)),
            logger: DaemonLogger(minimumLevel: .error), random: { 0.5 })
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
