import Foundation
import RinglogAgent
import RinglogPipedrive
import RinglogStore
import RinglogTestSupport
import Synchronization
import Testing

import class RinglogCore.Locked

/// A call log whose answer was lost stays "unconfirmed" until a search in Pipedrive settles it, whatever
/// else goes wrong in between: otherwise the next attempt would send it a second time.
@Suite("Unconfirmed attempts against the Pipedrive simulator", .enabled(if: PipedriveSimulator.isAvailable))
struct UnconfirmedAttemptTests {
    @Test("a lost answer stays unconfirmed through a 429 on the search: the call log is not sent twice")
    func unconfirmedSurvivesRateLimit() async throws {
        let harness = try await SimulatorWriterHarness.started(raisingBurstLimit: true)
        defer { harness.stop() }
        let simulator = harness.simulator
        let key = try await harness.enqueueInbound(callID: "lost-answer", from: "040 012 4387")
        let transport = LostAnswerThenRateLimitedTransport(refusedListings: 4)
        let writer = SimulatorWriterHarness.writer(
            client: try SimulatorWriterHarness.client(simulator, transport: transport), outbox: harness.outbox,
            directory: harness.directory, settings: harness.settings)

        // Far in the future, so that every pause the client asks for has passed at the next step.
        var clock: Int64 = 4_000_000_000_000
        var outcomes: [String] = []
        for _ in 0..<10 {
            clock += 600_000
            let now = clock
            guard let outcome = try await writer.processNext(now: { now }) else { break }
            outcomes.append("\(outcome)")
        }
        #expect(transport.listingsRefused == 4, "\(outcomes)")
        #expect(try await harness.outbox.item(key: key)?.state == .done, "\(outcomes)")
        #expect(try await simulator.callLogs().count == 1, "\(outcomes)")
    }
}

/// The simulator, except that the answer to the first `POST /v1/callLogs` is lost (Pipedrive stored the call
/// log; ringlog sees a 500), and the next `refusedListings` listings of call logs get a 429.
final class LostAnswerThenRateLimitedTransport: HTTPTransport {
    private struct State {
        var postsLost = 0
        var listingsRefused = 0
    }
    private let state = Locked(State())
    private let refusedListings: Int

    init(refusedListings: Int) { self.refusedListings = refusedListings }

    var listingsRefused: Int { state.withLock { $0.listingsRefused } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.url.path
        if request.method == "GET", path.hasSuffix("/callLogs") {
            let refuse = state.withLock { state in
                guard state.postsLost > 0, state.listingsRefused < refusedListings else { return false }
                state.listingsRefused += 1
                return true
            }
            if refuse { return try Self.answer(request, status: 429, body: "Too many requests") }
        }
        let answer = try await SocketHTTPTransport.shared.send(request)
        if request.method == "POST", path.hasSuffix("/callLogs") {
            let lose = state.withLock { state in
                guard state.postsLost == 0 else { return false }
                state.postsLost = 1
                return true
            }
            if lose { return try Self.answer(request, status: 500, body: "Internal server error") }
        }
        return answer
    }

    private static func answer(_ request: HTTPRequest, status: Int, body: String) throws -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "application/json", "Retry-After": "0"],
            body: Data(#"{"success":false,"error":"\#(body)"}"#.utf8))
    }
}
