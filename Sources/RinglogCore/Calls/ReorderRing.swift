/// The reorder buffer's storage: values in ascending time order in a ring (a circular array), so that
/// taking the oldest one moves nothing and no compaction is needed. A value that arrives out of order is
/// slid into its place from the newest end (rare: copies of a message are nearly in order).
struct ReorderRing<Element: Sendable>: Sendable {
    /// Capacity is zero or a power of two; the waiting values are `count` slots from `head` on, wrapping.
    private var slots: [Element?] = []
    /// The time of each slot's value, in microseconds, so that finding a place reads no value.
    private var times: [Int64] = []
    private var head = 0
    private(set) var count = 0

    /// The time of the oldest waiting value.
    var oldestTime: Int64? { count == 0 ? nil : times[head] }

    /// The time of the newest waiting value.
    var newestTime: Int64? { count == 0 ? nil : times[physical(count - 1)] }

    private func physical(_ logical: Int) -> Int { (head + logical) & (slots.count - 1) }

    /// Adds `element` after every value with a time at or before `time` (equal times keep arrival order).
    mutating func insert(_ element: consuming Element, at time: Int64) {
        if count == slots.count { grow() }
        var index = count
        while index > 0 && times[physical(index - 1)] > time { index -= 1 }
        let end = physical(count)
        slots[end] = element
        times[end] = time
        count += 1
        // Out of order: walk the new value back to `index` (through the buffer: `swapAt` on the array
        // copies both values).
        var position = count - 1
        while position > index {
            let here = physical(position)
            let before = physical(position - 1)
            slots.withUnsafeMutableBufferPointer { $0.swapAt(here, before) }
            times.swapAt(here, before)
            position -= 1
        }
    }

    /// Hands the oldest element to `body` in place and then drops it, when its time is at or before
    /// `cutoff`; `false` when there is none such. (Moving a large element out of the ring copies it twice.)
    mutating func removeOldest(ifAtOrBefore cutoff: Int64, _ body: (inout Element) -> Void) -> Bool {
        guard count > 0, times[head] <= cutoff, slots[head] != nil else { return false }
        // Force-unwrapped in place after the check above: an `if var` would copy the element out.
        body(&slots[head]!)
        slots[head] = nil
        head = (head + 1) & (slots.count - 1)
        count -= 1
        return true
    }

    /// Drops every value and the storage.
    mutating func removeAll() {
        slots = []
        times = []
        head = 0
        count = 0
    }

    /// Doubles the capacity (at least 64), laying the values out from slot 0.
    private mutating func grow() {
        let capacity = max(64, slots.count * 2)
        var newSlots: [Element?] = []
        newSlots.reserveCapacity(capacity)
        var newTimes: [Int64] = []
        newTimes.reserveCapacity(capacity)
        for logical in 0..<count {
            let index = physical(logical)
            newSlots.append(slots[index].take())
            newTimes.append(times[index])
        }
        newSlots.append(contentsOf: repeatElement(nil, count: capacity - count))
        newTimes.append(contentsOf: repeatElement(0, count: capacity - count))
        slots = newSlots
        times = newTimes
        head = 0
    }
}
