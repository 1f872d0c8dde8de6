import Testing

@testable import RinglogCore

/// The reorder buffer's ring: values come out oldest first, each exactly once, and every value is
/// destroyed once, whether it was taken out, dropped with the ring, or shared with a copy of the ring.
@Suite("Reorder ring")
struct ReorderRingTests {
    /// A value that counts how many of its kind are alive.
    private final class Tracked: Sendable {
        let label: Int
        let counter: LiveCounter
        init(_ label: Int, _ counter: LiveCounter) {
            self.label = label
            self.counter = counter
            counter.change(by: 1)
        }
        deinit { counter.change(by: -1) }
    }

    private final class LiveCounter: Sendable {
        private let count = Locked(0)
        var value: Int { count.withLock { $0 } }
        func change(by delta: Int) { count.withLock { $0 += delta } }
    }

    /// Takes every value at or before `cutoff`, oldest first.
    private func drain(_ ring: inout ReorderRing<Tracked>, upTo cutoff: Int64 = .max) -> [Int] {
        var labels: [Int] = []
        for _ in 0..<10_000 {
            guard ring.removeOldest(ifAtOrBefore: cutoff, { labels.append($0.label) }) else { break }
        }
        return labels
    }

    @Test("values come out in time order; equal times keep their arrival order")
    func order() {
        let counter = LiveCounter()
        var ring = ReorderRing<Tracked>()
        for (label, time) in [(1, 10), (2, 30), (3, 20), (4, 20), (5, 5), (6, 30)] {
            ring.insert(Tracked(label, counter), at: Int64(time))
        }
        #expect(ring.count == 6)
        #expect(ring.oldestTime == 5)
        #expect(ring.newestTime == 30)
        #expect(drain(&ring, upTo: 20) == [5, 1, 3, 4])
        #expect(ring.oldestTime == 30)
        #expect(drain(&ring) == [2, 6])
        #expect(ring.count == 0 && ring.oldestTime == nil && ring.newestTime == nil)
        #expect(counter.value == 0)
    }

    @Test("a ring that wraps around and grows gives what a sorted list would", arguments: [1, 3, 64, 65, 200])
    func wrapAndGrow(waiting: Int) {
        let counter = LiveCounter()
        var ring = ReorderRing<Tracked>()
        // The reference: a list kept sorted by time, new values after those with the same time.
        var model: [(time: Int64, label: Int)] = []
        var taken: [Int] = []
        var expected: [Int] = []
        // Keeps about `waiting` values in the ring while 1,000 pass through; every fifth arrives late.
        for label in 0..<1_000 {
            let time = Int64(label * 10 - (label % 5 == 4 ? 35 : 0))
            ring.insert(Tracked(label, counter), at: time)
            model.insert((time, label), at: model.lastIndex { $0.time <= time }.map { $0 + 1 } ?? 0)
            if ring.count > waiting, let cutoff = model.first.map({ $0.time + 5 }) {
                taken += drain(&ring, upTo: cutoff)
                while let first = model.first, first.time <= cutoff { expected.append(model.removeFirst().label) }
            }
        }
        taken += drain(&ring)
        expected += model.map(\.label)
        #expect(taken == expected)
        #expect(taken.count == 1_000)
        #expect(counter.value == 0)
    }

    @Test("a copy keeps its own values when the original changes")
    func copyOnWrite() {
        let counter = LiveCounter()
        var ring = ReorderRing<Tracked>()
        for label in 0..<100 { ring.insert(Tracked(label, counter), at: Int64(label)) }
        var copy = ring
        #expect(drain(&ring, upTo: 49) == Array(0..<50))
        ring.insert(Tracked(1_000, counter), at: 75)
        #expect(copy.count == 100)
        #expect(drain(&copy) == Array(0..<100))
        #expect(drain(&ring) == Array(50...75) + [1_000] + Array(76..<100))
        #expect(counter.value == 0)
    }

    @Test("values still waiting are destroyed with the ring, or by removeAll")
    func destruction() {
        let counter = LiveCounter()
        do {
            var ring = ReorderRing<Tracked>()
            for label in 0..<300 { ring.insert(Tracked(label, counter), at: Int64(label % 7)) }
            _ = drain(&ring, upTo: 2)
            #expect(counter.value == 171)  // 129 of the 300 have times 0, 1 or 2
        }
        #expect(counter.value == 0)
        var ring = ReorderRing<Tracked>()
        for label in 0..<10 { ring.insert(Tracked(label, counter), at: 0) }
        ring.removeAll()
        #expect(counter.value == 0 && ring.count == 0)
        ring.insert(Tracked(1, counter), at: 1)
        #expect(drain(&ring) == [1])
    }
}
