import Foundation
import RinglogCore
import RinglogStore
import Synchronization

/// `ringlog-bench daemon-enqueue [COUNT]`: how many finished calls per second the outbox accepts durably
/// (one `Outbox.enqueue` per call, as the daemon does: a WAL commit with `synchronous=FULL` each).
enum DaemonEnqueueBenchmark: Benchmark {
    static let name = "daemon-enqueue"
    static let summary = "durable enqueue rate of finished calls into the outbox"
    static let usage = "ringlog-bench daemon-enqueue [COUNT]   (default 2000 calls, in a temporary directory)"

    static func run(_ arguments: [String]) throws {
        let count = arguments.first.flatMap { Int($0) } ?? 2000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ringlog-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outbox = try Outbox(directory: directory.path)
        let payload = Array(
            CallRecord(
                callID: "x", direction: .inbound, from: "+358401234567", to: "1001", extensionNumber: "1001",
                startedAt: CaptureTime(microsecondsSinceEpoch: 0), answeredAt: nil, endedAt: nil, ringSeconds: 1,
                talkSeconds: 0, outcome: .missed, complete: true
            ).jsonLine.utf8)
        let semaphore = DispatchSemaphore(value: 0)
        let result = Mutex<Result<Double, any Error>?>(nil)
        Task {
            do {
                let start = monotonicSeconds()
                for index in 0..<count {
                    _ = try await outbox.enqueue(
                        kind: "call", key: "bench-\(index) 2026-01-01T00:00:00.000Z", payload: payload, now: 0)
                }
                result.withLock { $0 = .success(monotonicSeconds() - start) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            semaphore.signal()
        }
        semaphore.wait()
        let elapsed = try result.withLock { $0 }?.get() ?? 0
        print(
            "daemon-enqueue: \(count) calls in \(String(format: "%.2f", elapsed)) s = "
                + "\(Int(Double(count) / max(elapsed, 0.000_001))) calls/s (one durable commit per call)")
    }
}
