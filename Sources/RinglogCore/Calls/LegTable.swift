/// The call tracker's open legs by Call-ID, kept in an array so that a leg is read and changed where it is
/// stored. A dictionary of legs hands out a copy of the leg (a retain and a release for each of its strings
/// and lists) on every read, and moves it out and back on every change; the tracker does both for every
/// message.
///
/// The tracker looks up the same Call-ID several times per message (the leg, its group, its end time);
/// ``remember(_:)`` keeps that Call-ID's slot so those lookups compare one string instead of hashing it.
struct LegTable: Sendable {
    private var legs: [CallLeg] = []
    /// The slots of legs whose Call-ID is not ASCII (rare); ASCII Call-IDs are found through `asciiIndex`
    /// alone, so that opening and closing a leg hashes its Call-ID once, without the standard library's
    /// string hashing.
    private var nonASCIISlots: [String: Int] = [:]
    /// The slots by the bytes of ASCII Call-IDs: a message of an open leg is found without a string.
    private var asciiIndex = ASCIICallIDIndex()
    /// The Call-ID last given to ``remember(_:)`` and its slot (`nil`: no open leg), kept in step by
    /// ``open(callID:groupID:message:at:)`` and ``remove(_:)``.
    private var remembered = Remembered(callID: "", slot: nil, isSet: false)

    /// A Call-ID and its slot, kept outside an optional: reading an optional tuple copies it (and its string).
    private struct Remembered {
        var callID: String
        /// `nil`: no open leg.
        var slot: Int?
        /// Whether anything is remembered.
        var isSet: Bool

        init(callID: String, slot: Int?, isSet: Bool = true) {
            self.callID = callID
            self.slot = slot
            self.isSet = isSet
        }

        /// The remembered slot of `callID` (`.some(nil)`: remembered as having no open leg), or `nil` when
        /// another Call-ID (or none) is remembered.
        func slot(of callID: String) -> Int?? {
            isSet && self.callID == callID ? .some(slot) : nil
        }
    }

    /// The number of open legs.
    var count: Int { legs.count }

    /// Looks `callID` up once, so that the next lookups of it (until another Call-ID is remembered) need no
    /// hashing.
    mutating func remember(_ callID: String) {
        remembered = Remembered(callID: callID, slot: lookUp(callID))
    }

    /// Looks up the Call-ID of `message` as ``remember(_:)`` does, and returns it: the open leg's own string
    /// when there is one (found from the message's bytes when they are ASCII: no string is made), else the
    /// message's.
    mutating func remember(callIDOf message: SIPMessage) -> String {
        var isASCII = false
        // The closure captures the two lists it reads, not `self` (a copy of the whole table).
        let index = asciiIndex
        let open = legs
        let found = message.withCallIDBytes { bytes -> Int? in
            guard ASCIICallIDIndex.isASCII(bytes) else { return nil }
            isASCII = true
            return Self.find(bytes, index: index, legs: open)
        }
        if let found { return rememberSlot(found) }
        let callID = message.callID
        // An ASCII Call-ID that the index does not hold has no open leg, unless a non-ASCII one equals it.
        let slot = isASCII && nonASCIISlots.isEmpty ? nil : lookUp(callID)
        remembered = Remembered(callID: callID, slot: slot)
        return callID
    }

    /// Remembers the open leg in `slot` and returns its Call-ID.
    private mutating func rememberSlot(_ slot: Int) -> String {
        let callID = legs.withUnsafeBufferPointer { $0[slot].callID }
        remembered = Remembered(callID: callID, slot: slot)
        return callID
    }

    private func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        Self.find(bytes, index: asciiIndex, legs: legs)
    }

    private static func find(_ bytes: UnsafeBufferPointer<UInt8>, index: ASCIICallIDIndex, legs: [CallLeg]) -> Int? {
        let hash = index.hash(bytes)
        return legs.withUnsafeBufferPointer { legs in
            index.slot(of: bytes, hash: hash) { legs[$0].callID }
        }
    }

    /// The slot of the open leg whose Call-ID equals `callID` as a `String` (canonical equivalence, as a
    /// dictionary would compare them).
    private func lookUp(_ callID: String) -> Int? {
        var text = callID
        let isASCII = text.withUTF8 { ASCIICallIDIndex.isASCII($0) }
        if isASCII {
            if let slot = text.withUTF8({ find($0) }) { return slot }
            // A non-ASCII Call-ID canonically equal to this one (the dictionary hashes canonically).
            return nonASCIISlots.isEmpty ? nil : nonASCIISlots[callID]
        }
        if let slot = nonASCIISlots[callID] { return slot }
        // Equal to an ASCII Call-ID only when its other characters are canonically ASCII.
        guard let ascii = Self.canonicalASCII(callID) else { return nil }
        return ascii.withUnsafeBufferPointer { find($0) }
    }

    /// The ASCII bytes canonically equal to `text`, when there are any: a character outside ASCII is equal
    /// to an ASCII one only for the three whose canonical decomposition is a single ASCII character.
    static func canonicalASCII(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x80: bytes.append(UInt8(scalar.value))
            case 0x212A: bytes.append(UInt8(ascii: "K"))  // KELVIN SIGN
            case 0x037E: bytes.append(UInt8(ascii: ";"))  // GREEK QUESTION MARK
            case 0x1FEF: bytes.append(UInt8(ascii: "`"))  // GREEK VARIA
            default: return nil
            }
        }
        return bytes
    }

    /// The slot of `callID` in `legs`, or `nil` when it has no open leg.
    private func slot(_ callID: String) -> Int? {
        if let slot = remembered.slot(of: callID) { return slot }
        return lookUp(callID)
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

    /// Opens the leg of a Call-ID that has no open leg, made from its first message where it is stored: a
    /// leg made by the caller and passed in would be copied on its way into the table.
    mutating func open(callID: String, groupID: Int, message: SIPMessage, at time: CaptureTime) {
        let slot = legs.count
        if remembered.isSet && remembered.callID == callID { remembered.slot = slot }
        if !asciiIndex.append(callID) { nonASCIISlots[callID] = slot }
        legs.append(CallLeg(callID: callID, groupID: groupID, at: time))
        legs.withUnsafeMutableBufferPointer { $0[slot].takeParties(of: message) }
    }

    /// Removes the leg with this Call-ID and returns it; the last leg takes its place in the array.
    mutating func remove(_ callID: String) -> CallLeg? {
        guard let slot = slot(callID) else { return nil }
        remembered.isSet = false
        if !asciiIndex.isIndexed(slot) { nonASCIISlots.removeValue(forKey: callID) }
        asciiIndex.remove(slot)
        let last = legs.count - 1
        if slot != last {
            // Through the buffer: the array's `swapAt` copies both legs.
            legs.withUnsafeMutableBufferPointer { $0.swapAt(slot, last) }
            // The index moved the last slot's entry itself; a non-ASCII Call-ID's slot is changed here.
            if !asciiIndex.isIndexed(slot) {
                legs.withUnsafeBufferPointer { nonASCIISlots[$0[slot].callID] = slot }
            }
        }
        return legs.removeLast()
    }
}
