/// Values kept in numbered slots that stay put while others come and go: a value is found by its slot
/// (an array index) instead of by hashing a key. A freed slot is reused by a later value, so whoever keeps a
/// slot number past the value's removal must tell the values apart (the call tracker keeps a serial number).
struct SlotTable<Element: Sendable>: Sendable {
    private var elements: [Element?] = []
    private var freeSlots: [Int] = []

    /// The number of values stored.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Stores `element` in a free slot and returns the slot.
    mutating func insert(_ element: consuming Element) -> Int {
        count += 1
        if let slot = freeSlots.popLast() {
            elements[slot] = element
            return slot
        }
        elements.append(element)
        return elements.count - 1
    }

    /// The value in `slot`, or `nil` when the slot is free or out of range.
    subscript(slot: Int) -> Element? {
        guard elements.indices.contains(slot) else { return nil }
        return elements[slot]
    }

    /// Changes the value in `slot` in place; `nil` when the slot is free.
    @discardableResult
    mutating func update<Result>(_ slot: Int, _ body: (inout Element) -> Result) -> Result? {
        guard elements.indices.contains(slot), elements[slot] != nil else { return nil }
        // Force-unwrapped in place after the check above: an `if var` would copy the value out and back.
        return body(&elements[slot]!)
    }

    /// Removes the value in `slot` and returns it.
    mutating func remove(_ slot: Int) -> Element? {
        guard elements.indices.contains(slot), let element = elements[slot].take() else { return nil }
        count -= 1
        if count == 0 {
            elements.removeAll(keepingCapacity: true)
            freeSlots.removeAll(keepingCapacity: true)
        } else {
            freeSlots.append(slot)
        }
        return element
    }

    /// The slots that hold a value, in slot order.
    var occupiedSlots: [Int] { elements.indices.filter { elements[$0] != nil } }

    /// Calls `body` with each occupied slot and its element, in place (reading an element through the
    /// subscript copies it).
    mutating func forEachInPlace(_ body: (Int, inout Element) -> Void) {
        for slot in elements.indices where elements[slot] != nil {
            // Force-unwrapped in place after the check above, as in `update`.
            body(slot, &elements[slot]!)
        }
    }
}
