import Dispatch
import RinglogCore

/// A thread that runs one blocking capture loop outside Swift's cooperative pool, and can be waited for.
final class CaptureThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` on a new thread named `name`.
    init(name: String, body: @escaping @Sendable () -> Void) {
        let finished = self.finished
        DedicatedThread.start(name: name) {
            body()
            finished.signal()
        }
    }

    /// Blocks until the thread's body has returned. May be called more than once.
    func wait() {
        finished.wait()
        finished.signal()  // Let later callers through too.
    }
}
