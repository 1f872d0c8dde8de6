import Foundation
import RinglogAgent
import RinglogCore
import RinglogPipedrive
import RinglogStore
import Testing

/// `ringlog status` shows the tokens of the current UTC day, also from a snapshot a stopped daemon left.
@Suite("Status: tokens today")
struct StatusTokensTodayTests {
    func snapshot(day: String?) throws -> DaemonSnapshot {
        let dayMember = day.map { #", "tokensDay": "\#($0)""# } ?? ""
        let text = """
            {"pid": 1, "running": false, "updatedAt": "2026-11-18T23:59:00Z", "callsSeen": 3,
             "authorization": "ok", "tokensByEndpoint": {"POST /v1/callLogs": 30}, "unmappedExtensions": {}\(dayMember)}
            """
        return try JSONDecoder().decode(DaemonSnapshot.self, from: Data(text.utf8))
    }

    @Test("a snapshot of today shows its tokens; one of an earlier UTC day shows none")
    func onlyToday() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Outbox(directory: directory.path)
        let reader = StatusReader(stateDirectory: directory.path)

        try snapshot(day: TokenLedger.utcDate(of: Date())).write(stateDirectory: directory.path)
        #expect(try await reader.status().tokensByEndpoint == ["POST /v1/callLogs": 30])
        #expect(try await reader.status().text.contains("tokens today:  30 (UTC day)"))

        try snapshot(day: "2026-01-01").write(stateDirectory: directory.path)
        #expect(try await reader.status().tokensByEndpoint.isEmpty)
    }

    @Test("a restarted daemon continues today's count from its snapshot")
    func restartContinuesToday() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try snapshot(day: TokenLedger.utcDate(of: Date())).write(stateDirectory: directory.path)
        guard let url = URL(string: "http://127.0.0.1:9") else { return }
        let client = PipedriveClient(
            configuration: PipedriveClient.Configuration(baseURL: url), credentials: .apiToken("t"),
            transport: SocketHTTPTransport.shared)
        Daemon.restoreTokensSpentToday(client: client, stateDirectory: directory.path)
        #expect(client.tokensSpent[.addCallLog] == TokenLedger.Usage(requests: 3, tokens: 30))

        let yesterday = PipedriveClient(
            configuration: PipedriveClient.Configuration(baseURL: url), credentials: .apiToken("t"),
            transport: SocketHTTPTransport.shared)
        try snapshot(day: "2026-01-01").write(stateDirectory: directory.path)
        Daemon.restoreTokensSpentToday(client: yesterday, stateDirectory: directory.path)
        #expect(yesterday.tokensSpent.isEmpty)
    }
}
