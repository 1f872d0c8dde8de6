import Foundation
import RinglogCore
import RinglogStore
import Synchronization

/// `ringlog-bench daemon-enqueue [--calls N] [--per-call N]`: how many finished calls per second the outbox
/// accepts durably (WAL, `synchronous=FULL`), in one run:
///
/// - **group commit**, as `ringlog run` does: a burst of N calls ending one after the other, each handed to
///   ``OutboxGroupCommit`` as its own submission (one tracker step, one finished call: the worst case for
///   batching) with the daemon's per-call work (outbox key, JSON line); calls that arrive while a commit is
///   in flight go in the next one. The rate counts until the last call is durable.
/// - **one commit per call**, as the daemon did before: `Outbox.enqueue` and its fsync for each call.
enum DaemonEnqueueBenchmark: Benchmark {
    static let name = "daemon-enqueue"
    static let summary = "durable enqueue rate of finished calls into the outbox: group commit vs one commit per call"
    static let usage =
        "ringlog-bench daemon-enqueue [--calls N] [--per-call N]   (defaults 20000 and 500; temporary directories)"

    static func run(_ arguments: [String]) throws {
        var calls = 20_000
        var perCallCalls = 500
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "-h", "--help":
                print("usage: \(usage)")
                return
            case "--calls", "--per-call":
                guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                    throw BenchmarkFailure(description: "\(argument) needs a positive whole number")
                }
                if argument == "--calls" { calls = value } else { perCallCalls = value }
            default:
                throw BenchmarkFailure(description: "unknown argument '\(argument)'; see --help")
            }
        }
        let (burst, sequential) = (calls, perCallCalls)
        let grouped = try measure { outbox, directory in
            try await groupCommitBurst(outbox: outbox, directory: directory, calls: burst)
        }
        let perCall = try measure { outbox, _ in try await oneCommitPerCall(outbox: outbox, calls: sequential) }
        let groupedRate = Double(calls) / max(grouped.seconds, 0.000_001)
        let perCallRate = Double(perCallCalls) / max(perCall.seconds, 0.000_001)
        print(
            """
            group commit        \(calls) calls in \(format(grouped.seconds)) s = \(Int(groupedRate)) calls/s \
            (\(grouped.commits) commits, \(format(Double(calls) / Double(max(1, grouped.commits)))) calls per commit)
            one commit per call \(perCallCalls) calls in \(format(perCall.seconds)) s = \(Int(perCallRate)) calls/s
            ratio               \(format(groupedRate / max(perCallRate, 0.000_001)))x
            """)
    }

    private struct Measurement: Sendable {
        var seconds: Double
        var commits: Int
    }

    /// Runs `body` against a fresh outbox in a temporary directory, off the main thread.
    private static func measure(_ body: @escaping @Sendable (Outbox, String) async throws -> Measurement) throws
        -> Measurement
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ringlog-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(directory: directory.path)
        let semaphore = DispatchSemaphore(value: 0)
        let result = Locked<Result<Measurement, any Error>?>(nil)
        Task {
            do {
                let measurement = try await body(outbox, directory.path)
                result.withLock { $0 = .success(measurement) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            semaphore.signal()
        }
        semaphore.wait()
        guard let measurement = try result.withLock({ $0 })?.get() else {
            throw BenchmarkFailure(description: "the measurement did not finish")
        }
        return measurement
    }

    private static func groupCommitBurst(outbox: Outbox, directory: String, calls: Int) async throws -> Measurement {
        let groupCommit = OutboxGroupCommit(outbox: outbox)
        let start = monotonicSeconds()
        var pending: [PendingCommit] = []
        pending.reserveCapacity(calls)
        for index in 0..<calls {
            let record = call(index)
            let item = Outbox.NewItem(
                kind: "call", key: CallLogKey.key(for: record), payload: Array(record.jsonLine.utf8))
            // `now` is the call's index: a commit stamps its items with its newest submission, so the number
            // of distinct creation times is the number of commits.
            pending.append(groupCommit.submit([item], now: Int64(index)))
            // The tracker's loop suspends between packets; let the committer run as it would.
            if index % 64 == 0 { await Task.yield() }
        }
        for commit in pending { _ = try await commit.results() }
        let seconds = monotonicSeconds() - start
        guard try await outbox.counts(kind: "call")[.pending] == calls else {
            throw BenchmarkFailure(description: "the outbox does not hold all \(calls) calls")
        }
        return Measurement(seconds: seconds, commits: try commitCount(directory: directory))
    }

    /// The number of distinct creation times in the outbox (see ``groupCommitBurst(outbox:directory:calls:)``).
    private static func commitCount(directory: String) throws -> Int {
        let database = try SQLiteDatabase(path: "\(directory)/outbox.sqlite")
        let statement = try database.prepare("SELECT COUNT(DISTINCT created_at) FROM outbox")
        return try statement.step() ? Int(statement.integer(0)) : 0
    }

    private static func oneCommitPerCall(outbox: Outbox, calls: Int) async throws -> Measurement {
        let start = monotonicSeconds()
        for index in 0..<calls {
            let record = call(index)
            _ = try await outbox.enqueue(
                kind: "call", key: CallLogKey.key(for: record), payload: Array(record.jsonLine.utf8), now: 0)
        }
        return Measurement(seconds: monotonicSeconds() - start, commits: calls)
    }

    private static func call(_ index: Int) -> CallRecord {
        CallRecord(
            callID: "bench-\(index)@example", direction: .inbound, from: "+358401234567", to: "1001",
            extensionNumber: "1001", startedAt: CaptureTime(microsecondsSinceEpoch: 1_800_000_000_000_000),
            answeredAt: nil, endedAt: nil, ringSeconds: 1, talkSeconds: 0, outcome: .missed, complete: true)
    }

    private static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
