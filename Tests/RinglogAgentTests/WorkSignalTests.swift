import Testing

@testable import RinglogAgent

@Suite("Waking the write workers")
struct WorkSignalTests {
    @Test("a signal after the generation was read is not missed, however late the wait starts")
    func signalBeforeWait() async {
        let signal = WorkSignal()
        let generation = signal.generation
        signal.signal()
        // Returns at once: the generation moved on (an hour-long timeout would hang the test otherwise).
        await signal.wait(after: generation, atMost: .seconds(3600))
        #expect(signal.generation == generation + 1)
    }

    @Test("every waiting worker wakes on one signal")
    func wakesAllWaiters() async {
        let signal = WorkSignal()
        let generation = signal.generation
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { await signal.wait(after: generation, atMost: .seconds(3600)) }
            }
            // Signal until every waiter has returned; each signal also wakes waiters that registered late.
            group.addTask {
                while !Task.isCancelled {
                    signal.signal()
                    await Task.yield()
                }
            }
            for _ in 0..<4 { await group.next() }
            group.cancelAll()
        }
        #expect(signal.generation > generation)
    }

    @Test("cancelling a waiting task ends its wait")
    func cancellation() async {
        let signal = WorkSignal()
        let waiter = Task { await signal.wait(after: signal.generation, atMost: .seconds(3600)) }
        waiter.cancel()
        await waiter.value
        #expect(waiter.isCancelled)
    }

    /// The daemon's shutdown: every write worker's wait is cancelled at the same moment, so their cancellation
    /// handlers contend for the signal's lock. Under the thread sanitizer this is where the toolchain's `Mutex`
    /// shows its false positive (Sources/Fuzz/tsan-suppressions.txt); the waits must all end, and a signal
    /// afterwards must find no waiter left behind.
    @Test("many waits cancelled at the same moment all end")
    func manyCancelledAtOnce() async {
        let signal = WorkSignal()
        for _ in 0..<20 {
            let generation = signal.generation
            let waiters = (0..<8).map { _ in
                Task { await signal.wait(after: generation, atMost: .seconds(3600)) }
            }
            await Task.yield()
            for waiter in waiters { waiter.cancel() }
            for waiter in waiters { await waiter.value }
        }
        signal.signal()
        #expect(signal.generation == 1)
    }
}
