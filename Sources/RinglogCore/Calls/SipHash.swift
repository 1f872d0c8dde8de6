/// SipHash (Aumasson and Bernstein), a keyed hash of bytes: without the key, nobody can make many inputs
/// hash alike, so a hash table of what the network sends cannot be pushed into long probe chains. The call
/// tracker hashes a Call-ID's bytes with it for every message; done here on 8-byte words with the rounds
/// inlined, it costs a fraction of `Hasher` fed word by word (the same function, SipHash-1-3, there).
struct SipHash: Sendable {
    private let key0: UInt64
    private let key1: UInt64

    /// A hash with this 128-bit key (two little-endian halves).
    init(key0: UInt64, key1: UInt64) {
        self.key0 = key0
        self.key1 = key1
    }

    /// A hash with a key from the system's random source.
    static func randomlyKeyed() -> SipHash {
        var generator = SystemRandomNumberGenerator()
        return SipHash(key0: generator.next(), key1: generator.next())
    }

    /// SipHash-1-3 of `bytes`: one round per 8-byte block, three to finish (as `Hasher`).
    @inline(__always) func hash13(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        hash(bytes, compressionRounds: 1, finalizationRounds: 3)
    }

    /// SipHash-c-d of `bytes`: SipHash-2-4 is the paper's, whose test vectors check this code.
    @inline(__always)
    func hash(_ bytes: UnsafeBufferPointer<UInt8>, compressionRounds: Int, finalizationRounds: Int) -> UInt64 {
        var state = State(key0: key0, key1: key1)
        let count = bytes.count
        var index = 0
        // The last block: the remaining bytes, and the length's low byte at the top.
        var last = UInt64(truncatingIfNeeded: count) << 56
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                state.absorb(
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)),
                    rounds: compressionRounds)
                index += 8
            }
            if index < count && count >= 8 {
                // The last eight bytes end with the remaining ones: shifted down, they are the remaining bytes.
                let lastWord = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
                last |= lastWord >> UInt64((8 - (count - index)) * 8)
                index = count
            }
        }
        var shift: UInt64 = 0
        while index < count {
            last |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        state.absorb(last, rounds: compressionRounds)
        state.v2 ^= 0xff
        for _ in 0..<finalizationRounds { state.round() }
        return state.v0 ^ state.v1 ^ state.v2 ^ state.v3
    }

    /// The four state words.
    private struct State {
        var v0: UInt64
        var v1: UInt64
        var v2: UInt64
        var v3: UInt64

        @inline(__always) init(key0: UInt64, key1: UInt64) {
            v0 = key0 ^ 0x736f_6d65_7073_6575  // "somepseu"
            v1 = key1 ^ 0x646f_7261_6e64_6f6d  // "dorandom"
            v2 = key0 ^ 0x6c79_6765_6e65_7261  // "lygenera"
            v3 = key1 ^ 0x7465_6462_7974_6573  // "tedbytes"
        }

        @inline(__always) mutating func absorb(_ block: UInt64, rounds: Int) {
            v3 ^= block
            for _ in 0..<rounds { round() }
            v0 ^= block
        }

        @inline(__always) mutating func round() {
            v0 &+= v1
            v1 = v1.rotatedLeft(13)
            v1 ^= v0
            v0 = v0.rotatedLeft(32)
            v2 &+= v3
            v3 = v3.rotatedLeft(16)
            v3 ^= v2
            v0 &+= v3
            v3 = v3.rotatedLeft(21)
            v3 ^= v0
            v2 &+= v1
            v1 = v1.rotatedLeft(17)
            v1 ^= v2
            v2 = v2.rotatedLeft(32)
        }
    }
}

extension UInt64 {
    @inline(__always) fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
