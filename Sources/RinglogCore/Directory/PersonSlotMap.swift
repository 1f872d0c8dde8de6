/// A map from a 64-bit key (a packed number, an e-mail hash) to the slots of the persons who have it.
///
/// Built for memory: the common case, one person per key, is one `UInt64 → Int32` pair in a flat hash
/// table; keys shared by several persons keep their slots, ordered by person id, in a second, small table.
struct PersonSlotMap: Sendable {
    /// The slot of the only person with the key, or ``shared`` when several persons have it.
    private var single: [UInt64: Int32] = [:]
    /// The slots of keys several persons have, lowest person id first.
    private var several: [UInt64: [Int32]] = [:]
    private static let shared: Int32 = -1

    /// How many distinct keys are mapped.
    var count: Int { single.count }

    /// Whether any person has the key.
    func contains(_ key: UInt64) -> Bool { single[key] != nil }

    /// Calls `body` with the slot of every person who has the key, lowest person id first.
    func forEachSlot(_ key: UInt64, _ body: (Int32) -> Void) {
        guard let slot = single[key] else { return }
        if slot != Self.shared {
            body(slot)
        } else {
            for slot in several[key] ?? [] { body(slot) }
        }
    }

    /// Adds `slot` to the key; `personID` gives the order among several persons.
    mutating func insert(_ slot: Int32, for key: UInt64, personID: (Int32) -> Int) {
        guard let current = single[key] else {
            single[key] = slot
            return
        }
        if current == slot { return }
        var slots = current == Self.shared ? several[key] ?? [] : [current]
        if slots.contains(slot) { return }
        let id = personID(slot)
        slots.insert(slot, at: slots.firstIndex { personID($0) > id } ?? slots.endIndex)
        single[key] = Self.shared
        several[key] = slots
    }

    /// Removes `slot` from the key.
    mutating func remove(_ slot: Int32, for key: UInt64) {
        guard let current = single[key] else { return }
        if current == slot {
            single[key] = nil
            return
        }
        guard current == Self.shared, var slots = several[key] else { return }
        slots.removeAll { $0 == slot }
        if slots.count > 1 {
            several[key] = slots
        } else {
            several[key] = nil
            single[key] = slots.first
        }
    }
}
