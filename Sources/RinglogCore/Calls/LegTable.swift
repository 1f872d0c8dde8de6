/// The call tracker's open legs by Call-ID, kept in an array so that a leg is read and changed where it is
/// stored. A dictionary of legs hands out a copy of the leg (a retain and a release for each of its strings
/// and lists) on every read, and moves it out and back on every change; the tracker does both for every
/// message.
///
/// The tracker looks up the same Call-ID several times per message (the leg, its group, its end time);
/// ``remember(_:)`` keeps that Call-ID's slot so those lookups compare one string instead of hashing it.
struct LegTable: Sendable {
    private var legs: [CallLeg] = []
    private var slots: [String: Int] = [:]
    /// The slots again, by the bytes of ASCII Call-IDs: a message of an open leg is found without a string.
    private var asciiIndex = ASCIICallIDIndex()
    /// The Call-ID last given to ``remember(_:)`` and its slot (`nil`: no open leg), kept in step with
    /// `slots` by ``insert(_:)`` and ``remove(_:)``.
    private var remembered: (callID: String, slot: Int?)?

    /// The number of open legs.
    var count: Int { legs.count }

    /// Looks `callID` up once, so that the next lookups of it (until another Call-ID is remembered) need no
    /// hashing.
    mutating func remember(_ callID: String) {
        remembered = (callID, slots[callID])
    }

    /// Looks up the Call-ID of `message` as ``remember(_:)`` does, and returns it: the open leg's own string
    /// when there is one (found from the message's bytes when they are ASCII: no string is made), else the
    /// message's.
    mutating func remember(callIDOf message: SIPMessage) -> String {
        let found = message.withCallIDBytes { bytes -> Int? in
            guard ASCIICallIDIndex.isASCII(bytes) else { return nil }
            let hash = ASCIICallIDIndex.hash(bytes)
            return legs.withUnsafeBufferPointer { legs in
                asciiIndex.slot(of: bytes, hash: hash) { legs[$0].callID }
            }
        }
        if let found {
            let callID = legs.withUnsafeBufferPointer { $0[found].callID }
            remembered = (callID, found)
            return callID
        }
        let callID = message.callID
        remember(callID)
        return callID
    }

    /// The slot of `callID` in `legs`, or `nil` when it has no open leg.
    private func slot(_ callID: String) -> Int? {
        if let remembered, remembered.callID == callID { return remembered.slot }
        return slots[callID]
    }

    /// Whether a leg with this Call-ID is open.
    func contains(_ callID: String) -> Bool { slot(callID) != nil }

    /// A copy of the leg with this Call-ID, for the less frequent paths.
    subscript(callID: String) -> CallLeg? {
        guard let slot = slot(callID) else { return nil }
        return legs[slot]
    }

    /// Reads the leg with this Call-ID; `nil` when there is none. Cheap for stored fields; a leg's computed
    /// properties may copy it here (see ``update(_:_:)``).
    func read<Result>(_ callID: String, _ body: (borrowing CallLeg) -> Result) -> Result? {
        guard let slot = slot(callID) else { return nil }
        // Through the buffer: the array's subscript getter would copy the leg for the call.
        return legs.withUnsafeBufferPointer { body($0[slot]) }
    }

    /// Changes the leg with this Call-ID in place; `nil` when there is none.
    ///
    /// The tracker also reads through this where it may mutate: an exclusive access lets the leg's computed
    /// properties borrow it where it is stored, while a read through ``read(_:_:)`` copies the leg first
    /// (a retain and a release of each of its strings and lists) when it calls a property that is not inlined.
    @discardableResult
    mutating func update<Result>(_ callID: String, _ body: (inout CallLeg) -> Result) -> Result? {
        guard let slot = slot(callID) else { return nil }
        return body(&legs[slot])
    }

    /// Adds a leg, or replaces the open leg with the same Call-ID. The leg is moved in (`consuming`): a
    /// borrowed one would be copied into the table.
    mutating func insert(_ leg: consuming CallLeg) {
        let callID = leg.callID
        if let slot = slots[callID] {
            legs[slot] = leg
        } else {
            slots[callID] = legs.count
            if remembered?.callID == callID { remembered?.slot = legs.count }
            asciiIndex.append(callID)
            legs.append(leg)
        }
    }

    /// Removes the leg with this Call-ID and returns it; the last leg takes its place in the array.
    mutating func remove(_ callID: String) -> CallLeg? {
        guard let slot = slots.removeValue(forKey: callID) else { return nil }
        remembered = nil
        asciiIndex.remove(slot)
        let last = legs.count - 1
        if slot != last {
            // Through the buffer: the array's `swapAt` copies both legs.
            legs.withUnsafeMutableBufferPointer { $0.swapAt(slot, last) }
            slots[legs[slot].callID] = slot
        }
        return legs.removeLast()
    }
}
