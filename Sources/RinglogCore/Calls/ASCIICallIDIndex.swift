#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds an open leg's slot from the raw bytes of a message's Call-ID, so that the messages of a known
/// dialog need no `String` of their Call-ID (an allocation for any Call-ID longer than 15 bytes) and no
/// `String` hashing.
///
/// Only ASCII Call-IDs are indexed: for them, equal bytes are equal strings. A miss proves nothing (a
/// non-ASCII Call-ID may be canonically equal to an ASCII one), so the leg table then looks the Call-ID up
/// as a string. Open addressing with linear probing; removal shifts entries back, so there are no
/// tombstones. Hashes are SipHash with a random key per index, so crafted Call-IDs cannot force collisions.
///
/// A bucket holds the top half of its Call-ID's hash beside the slot: a lookup reads the leg's Call-ID
/// only for an entry whose hash matches, and no other list (with thousands of open legs, each list read is a
/// likely cache miss).
struct ASCIICallIDIndex: Sendable {
    /// Buckets: the Call-ID's ``fingerprint(_:)`` in the high 32 bits and slot + 1 of the leg in the low
    /// 32 bits; 0 when empty. The count is a power of two.
    private var buckets: [UInt64] = Array(repeating: 0, count: 64)
    /// The hash of each indexed slot's Call-ID (`nil`: the leg's Call-ID is not ASCII, not indexed).
    private var hashes: [Int?] = []
    private var indexed = 0

    /// The key of this index's hash, random per index.
    private let hasher = SipHash.randomlyKeyed()

    /// The hash of `bytes` as this index computes it.
    @inline(__always) func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        Int(truncatingIfNeeded: hasher.hash13(bytes))
    }

    /// Whether two byte buffers hold the same bytes (memcmp: vectorised).
    @inline(__always) static func equal(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        guard first.count == second.count else { return false }
        guard let firstBase = first.baseAddress, let secondBase = second.baseAddress else { return first.isEmpty }
        return memcmp(firstBase, secondBase, first.count) == 0
    }

    /// Whether every byte is ASCII.
    @inline(__always) static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        // Eight bytes at a time: a byte is not ASCII when its top bit is set.
        while index + 8 <= bytes.count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        if index < bytes.count && bytes.count >= 8 {
            // The last eight bytes hold the remaining ones (and some already checked).
            return raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        }
        while index < bytes.count {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// The slot whose Call-ID has exactly these ASCII bytes, if one is indexed; `callID(slot)` reads a
    /// candidate's Call-ID.
    func slot(of bytes: UnsafeBufferPointer<UInt8>, hash: Int, callID: (Int) -> String) -> Int? {
        let fingerprint = Self.fingerprint(hash)
        return buckets.withUnsafeBufferPointer { buckets in
            let mask = buckets.count - 1
            var position = hash & mask
            while true {
                let entry = buckets[position]
                if entry == 0 { return nil }
                if entry >> 32 == fingerprint {
                    let slot = Self.slot(entry)
                    var candidate = callID(slot)
                    if candidate.withUTF8({ Self.equal($0, bytes) }) { return slot }
                }
                position = (position + 1) & mask
            }
        }
    }

    /// The part of a hash kept in a bucket: its high 32 bits (the low ones choose the bucket).
    @inline(__always) private static func fingerprint(_ hash: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: hash) >> 32
    }

    /// The bucket entry of `slot` with this hash.
    @inline(__always) private static func entry(_ slot: Int, hash: Int) -> UInt64 {
        fingerprint(hash) << 32 | UInt64(slot + 1)
    }

    /// The slot of a non-empty bucket entry.
    @inline(__always) private static func slot(_ entry: UInt64) -> Int {
        Int(entry & 0xffff_ffff) - 1
    }

    /// Lists the next slot with this Call-ID; `false` (the slot is listed, but not indexed) when it is not
    /// ASCII.
    @discardableResult
    mutating func append(_ callID: String) -> Bool {
        var callID = callID
        let hash = callID.withUTF8 { bytes -> Int? in Self.isASCII(bytes) ? self.hash(bytes) : nil }
        // Grown before the new slot is listed: growing places every listed slot.
        if hash != nil && (indexed + 1) * 2 > buckets.count { grow() }
        hashes.append(hash)
        guard let hash else { return false }
        place(hashes.count - 1, hash: hash)
        indexed += 1
        return true
    }

    /// Whether `slot`'s Call-ID is in the index (it is ASCII).
    func isIndexed(_ slot: Int) -> Bool { hashes[slot] != nil }

    /// Forgets `slot`; the last slot moves into its place (as the leg table swaps its last leg in).
    mutating func remove(_ slot: Int) {
        if let hash = hashes[slot] {
            clear(slot, hash: hash)
            indexed -= 1
        }
        let last = hashes.count - 1
        if slot != last {
            if let lastHash = hashes[last] {
                let position = find(last, hash: lastHash)
                buckets[position] = Self.entry(slot, hash: lastHash)
            }
            hashes[slot] = hashes[last]
        }
        hashes.removeLast()
    }

    private mutating func place(_ slot: Int, hash: Int) {
        let mask = buckets.count - 1
        var position = hash & mask
        while buckets[position] != 0 { position = (position + 1) & mask }
        buckets[position] = Self.entry(slot, hash: hash)
    }

    /// The bucket that holds `slot`, which must be indexed.
    private func find(_ slot: Int, hash: Int) -> Int {
        let mask = buckets.count - 1
        var position = hash & mask
        let entry = Self.entry(slot, hash: hash)
        while buckets[position] != entry { position = (position + 1) & mask }
        return position
    }

    /// Empties the bucket of `slot` and shifts the entries after it back so that every entry stays
    /// reachable from its home bucket.
    private mutating func clear(_ slot: Int, hash: Int) {
        let mask = buckets.count - 1
        var hole = find(slot, hash: hash)
        var position = hole
        while true {
            position = (position + 1) & mask
            let entry = buckets[position]
            if entry == 0 { break }
            guard let entryHash = hashes[Self.slot(entry)] else { continue }
            let home = entryHash & mask
            // The entry may move into the hole when its home is not cyclically in (hole, position].
            let distanceToEntry = (position - home) & mask
            let distanceToHole = (position - hole) & mask
            if distanceToEntry >= distanceToHole {
                buckets[hole] = buckets[position]
                hole = position
            }
        }
        buckets[hole] = 0
    }

    private mutating func grow() {
        buckets = Array(repeating: 0, count: buckets.count * 2)
        for (slot, hash) in hashes.enumerated() {
            if let hash { place(slot, hash: hash) }
        }
    }
}
