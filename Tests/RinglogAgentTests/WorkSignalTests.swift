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
}
