/// The finished calls waiting out their grace period, earliest due first (a binary min-heap).
///
/// Entries are never updated in place: when a call's end moves (a late BYE) or it reopens, a new entry is
/// pushed and the old one is recognised as stale when it is popped (the tracker's `closing` table no
/// longer holds its end time). Each operation is O(log n), so a busy PBX with hundreds of calls in their
/// grace period costs the same per message as a quiet one.
struct ClosingQueue {
    struct Entry {
        /// When the grace period ends, in microseconds since the epoch.
        var due: Int64
        var groupID: Int
        /// The group's serial number: its slot (`groupID`) may hold a later group by the time this is due.
        var serial: Int
        var endedAt: CaptureTime
        /// Pushed with the short grace of a settled call (``CallTrackerConfiguration/settledClosingGraceSeconds``).
        var settled = false
    }

    private var heap: [Entry] = []

    var isEmpty: Bool { heap.isEmpty }

    /// When the earliest entry is due (it may be stale), in microseconds since the epoch.
    var nextDue: Int64? { heap.first?.due }

    /// The number of entries, stale ones included.
    var count: Int { heap.count }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int64) -> Entry? {
        guard let first = heap.first, first.due <= now else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let smaller = right < heap.count && heap[right].due < heap[left].due ? right : left
            guard heap[smaller].due < heap[parent].due else { break }
            heap.swapAt(parent, smaller)
            parent = smaller
        }
        return first
    }

    mutating func removeAll() { heap.removeAll() }
}
