/// The reorder buffer's storage: values in ascending time order in a ring (a circular array), so that
/// taking the oldest one moves nothing and no compaction is needed. A value that arrives out of order is
/// slid into its place from the newest end (rare: copies of a message are nearly in order).
///
/// Values are initialized in their slot and destroyed there: an array of optionals would copy a value each
/// time a slot is set or cleared (the replay's values are a few hundred bytes). A copy of the ring shares
/// its storage until either copy changes (copy on write), as an array does.
struct ReorderRing<Element: Sendable>: Sendable {
    private var storage = Storage(capacity: 0)

    /// The number of waiting values.
    var count: Int { storage.count }

    /// The time of the oldest waiting value.
    var oldestTime: Int64? { storage.count == 0 ? nil : storage.times[storage.head] }

    /// The time of the newest waiting value.
    var newestTime: Int64? {
        storage.count == 0 ? nil : storage.times[storage.physical(storage.count - 1)]
    }

    /// Adds `element` after every value with a time at or before `time` (equal times keep arrival order).
    mutating func insert(_ element: consuming Element, at time: Int64) {
        makeUnique()
        if storage.count == storage.capacity { storage = storage.moved(capacity: max(64, storage.capacity * 2)) }
        storage.insert(element, at: time)
    }

    /// Hands the oldest element to `body` in place and then drops it, when its time is at or before
    /// `cutoff`; `false` when there is none such.
    mutating func removeOldest(ifAtOrBefore cutoff: Int64, _ body: (inout Element) -> Void) -> Bool {
        guard storage.count > 0, storage.times[storage.head] <= cutoff else { return false }
        makeUnique()
        storage.removeOldest(body)
        return true
    }

    /// Drops every value and the storage.
    mutating func removeAll() {
        storage = Storage(capacity: 0)
    }

    /// Gives this ring storage of its own before a change, when a copy of it shares the storage.
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copied() }
    }

    /// The slots. `@unchecked Sendable`: it is changed only through the one ring that holds it
    /// (``ReorderRing/makeUnique()`` runs before every change), so a storage that two rings share, or that
    /// crossed to another thread with a ring, is never written; its elements are `Sendable`.
    private final class Storage: @unchecked Sendable {
        /// `capacity` slots (zero or a power of two); slots `head` to `head + count - 1` (wrapping) hold values.
        let elements: UnsafeMutablePointer<Element>
        /// The time of each slot's value, in microseconds, so that finding a place reads no value.
        let times: UnsafeMutablePointer<Int64>
        let capacity: Int
        var head = 0
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            elements = .allocate(capacity: capacity)
            times = .allocate(capacity: capacity)
        }

        deinit {
            for logical in 0..<count { (elements + physical(logical)).deinitialize(count: 1) }
            elements.deallocate()
            times.deallocate()
        }

        @inline(__always) func physical(_ logical: Int) -> Int { (head + logical) & (capacity - 1) }

        /// Inserts into a storage with a free slot.
        func insert(_ element: consuming Element, at time: Int64) {
            var index = count
            while index > 0 && times[physical(index - 1)] > time { index -= 1 }
            // Out of order (rare): the newer values move one slot on to make room.
            var position = count
            while position > index {
                let to = physical(position)
                let from = physical(position - 1)
                (elements + to).moveInitialize(from: elements + from, count: 1)
                times[to] = times[from]
                position -= 1
            }
            let slot = physical(index)
            (elements + slot).initialize(to: element)
            times[slot] = time
            count += 1
        }

        /// Hands the oldest value (there is one) to `body` where it is stored, then destroys it there.
        func removeOldest(_ body: (inout Element) -> Void) {
            body(&elements[head])
            (elements + head).deinitialize(count: 1)
            head = (head + 1) & (capacity - 1)
            count -= 1
        }

        /// A storage of `capacity` slots with this storage's values moved in from slot 0; this one is left
        /// empty.
        func moved(capacity newCapacity: Int) -> Storage {
            let result = Storage(capacity: newCapacity)
            for logical in 0..<count {
                let index = physical(logical)
                (result.elements + logical).moveInitialize(from: elements + index, count: 1)
                result.times[logical] = times[index]
            }
            result.count = count
            count = 0
            return result
        }

        /// A storage of the same capacity with copies of this storage's values.
        func copied() -> Storage {
            let result = Storage(capacity: capacity)
            for logical in 0..<count {
                let index = physical(logical)
                (result.elements + logical).initialize(to: elements[index])
                result.times[logical] = times[index]
            }
            result.count = count
            return result
        }
    }
}
