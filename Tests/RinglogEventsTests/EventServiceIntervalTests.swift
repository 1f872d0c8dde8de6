import Foundation
import RinglogCore
import RinglogEvents
import RinglogStore
import Testing

@Suite("Event service intervals")
struct EventServiceIntervalTests {
    private struct Setup {
        let state: ScratchDirectory
        let clock: FakeClock
        let service: EventService

        init(batchInterval: Duration, scanInterval: Duration = .seconds(10)) throws {
            state = try ScratchDirectory()
            clock = FakeClock()
            let outbox = try Outbox(directory: state.path)
            let settings = EventSettings(stateDirectory: state.path)
            let flusher = EventFlusher(
                dependencies: .init(
                    outbox: outbox, journal: try EventSendJournal(directory: state.path), writer: FakePipedrive(),
                    contacts: FakeContacts(), users: FakeUsers(users: ["anna@example.com": 3]), clock: clock),
                settings: settings, unmappedAgent: .skip, normalizer: PhoneNumberNormalizer())
            service = EventService(
                spool: try SpoolDirectory(path: settings.spoolDirectory),
                intake: EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: settings.rejectedFile)),
                flusher: flusher, clock: clock, batchInterval: batchInterval, scanInterval: scanInterval)
        }
    }

    @Test("fractional minutes give second-level batches")
    func fractionalMinutes() throws {
        let root = try ConfigurationObject(JSONValue(parsing: Data(#"{"batch_minutes": 0.05}"#.utf8)), path: "events")
        let settings = try EventSettings(root, stateDirectory: "/var/lib/ringlog/acme")
        #expect(settings.batchInterval == .seconds(3))
    }

    @Test("a new interval applies from the last batch on")
    func updatedInterval() async throws {
        let setup = try Setup(batchInterval: .seconds(1800))
        try setup.state.write("spool/a.jsonl", eventLine(id: "1"))
        #expect(try await setup.service.tick().flush == nil)
        setup.clock.advance(milliseconds: 5_000)
        #expect(try await setup.service.tick().flush == nil)
        await setup.service.update(batchInterval: .seconds(3))
        #expect(try await setup.service.tick().flush?.created == 1)
        setup.clock.advance(milliseconds: 2_000)
        #expect(try await setup.service.tick().flush == nil)
        setup.clock.advance(milliseconds: 1_000)
        #expect(try await setup.service.tick().flush != nil)
    }

    @Test("a batch due while another process holds the flush lock waits for a later tick")
    func lockedBatchWaits() async throws {
        let setup = try Setup(batchInterval: .seconds(3))
        try setup.state.write("spool/a.jsonl", eventLine(id: "1"))
        _ = try await setup.service.tick()
        setup.clock.advance(milliseconds: 3_000)
        var lock: FlushLock? = try FlushLock(stateDirectory: setup.state.path)
        let deferred = try await setup.service.tick()
        #expect(deferred.flushDeferred)
        #expect(deferred.flush == nil)
        withExtendedLifetime(lock) {}
        lock = nil
        #expect(try await setup.service.tick().flush?.created == 1)
    }

    @Test("the loop sleeps until the batch is due, or one scan when the due batch could not run")
    func loopWakeups() async throws {
        let setup = try Setup(batchInterval: .seconds(3), scanInterval: .seconds(10))
        let start = setup.clock.now()
        let running = Task { await setup.service.run() }
        for _ in 0..<400 where setup.clock.wakeups.count < 3 { try? await Task.sleep(for: .milliseconds(50)) }
        running.cancel()
        _ = await running.value
        let wakeups = setup.clock.wakeups.prefix(3)
        #expect(Array(wakeups) == [start + 3_000, start + 6_000, start + 9_000])
    }
}
