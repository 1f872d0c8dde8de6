import Testing

@testable import RinglogCore

/// The Call-ID index's hash is SipHash: the reference test vectors (key 00 01 … 0f, message 00 01 … of each
/// length) come out, for SipHash-2-4 from the paper and for SipHash-1-3, the variant the index uses.
@Suite("SipHash")
struct SipHashTests {
    private let hash = SipHash(key0: 0x0706_0504_0302_0100, key1: 0x0f0e_0d0c_0b0a_0908)

    private func digest(length: Int, _ c: Int, _ d: Int) -> UInt64 {
        let message = (0..<length).map { UInt8($0) }
        return message.withUnsafeBufferPointer { hash.hash($0, compressionRounds: c, finalizationRounds: d) }
    }

    @Test(
        "SipHash-2-4 test vectors",
        arguments: [
            (0, 0x726f_db47_dd0e_0e31 as UInt64), (1, 0x74f8_39c5_93dc_67fd), (7, 0xab02_00f5_8b01_d137),
            (8, 0x93f5_f579_9a93_2462), (15, 0xa129_ca61_49be_45e5), (16, 0x3f2a_cc7f_57c2_9bdb),
            (63, 0x958a_324c_eb06_4572),
        ])
    func sipHash24(length: Int, expected: UInt64) {
        #expect(digest(length: length, 2, 4) == expected)
    }

    @Test(
        "SipHash-1-3 test vectors",
        arguments: [
            (0, 0xabac_0158_050f_c4dc as UInt64), (1, 0xc9f4_9bf3_7d57_ca93), (8, 0x3690_9511_8d29_9a8e),
            (15, 0xd320_d86d_2a51_9956), (23, 0x525a_0e7f_dae6_c123),
        ])
    func sipHash13(length: Int, expected: UInt64) {
        #expect(digest(length: length, 1, 3) == expected)
        let message = (0..<length).map { UInt8($0) }
        #expect(message.withUnsafeBufferPointer { hash.hash13($0) } == expected)
    }

    @Test("every length up to 64 bytes hashes as a byte-by-byte SipHash does, from any offset")
    func everyLength() {
        let bytes = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0...64 {
            for offset in [0, 3] {
                let message = Array(bytes[offset..<(offset + length)])
                let expected = Self.referenceSipHash13(
                    message, key0: 0x0706_0504_0302_0100, key1: 0x0f0e_0d0c_0b0a_0908)
                #expect(message.withUnsafeBufferPointer { hash.hash13($0) } == expected, "length \(length)")
            }
        }
    }

    /// SipHash-1-3 as the paper describes it, one byte at a time.
    private static func referenceSipHash13(_ message: [UInt8], key0: UInt64, key1: UInt64) -> UInt64 {
        var v0 = key0 ^ 0x736f_6d65_7073_6575
        var v1 = key1 ^ 0x646f_7261_6e64_6f6d
        var v2 = key0 ^ 0x6c79_6765_6e65_7261
        var v3 = key1 ^ 0x7465_6462_7974_6573
        func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }
        func round() {
            v0 &+= v1
            v1 = rotate(v1, 13) ^ v0
            v0 = rotate(v0, 32)
            v2 &+= v3
            v3 = rotate(v3, 16) ^ v2
            v0 &+= v3
            v3 = rotate(v3, 21) ^ v0
            v2 &+= v1
            v1 = rotate(v1, 17) ^ v2
            v2 = rotate(v2, 32)
        }
        var blocks: [UInt64] = []
        var block: UInt64 = 0
        for (index, byte) in message.enumerated() {
            block |= UInt64(byte) << UInt64(8 * (index % 8))
            if index % 8 == 7 {
                blocks.append(block)
                block = 0
            }
        }
        blocks.append(block | UInt64(message.count & 0xff) << 56)
        for word in blocks {
            v3 ^= word
            round()
            v0 ^= word
        }
        v2 ^= 0xff
        for _ in 0..<3 { round() }
        return v0 ^ v1 ^ v2 ^ v3
    }

    @Test("the ASCII check agrees with a byte-by-byte one at every length and position of a high byte")
    func asciiCheck() {
        for length in 0...40 {
            var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(bytes.withUnsafeBufferPointer { ASCIICallIDIndex.isASCII($0) })
            for position in 0..<length {
                bytes[position] = 0xC3
                #expect(!bytes.withUnsafeBufferPointer { ASCIICallIDIndex.isASCII($0) }, "\(length) \(position)")
                bytes[position] = UInt8(ascii: "a")
            }
        }
    }

    @Test("two randomly keyed hashes disagree on the same bytes")
    func randomKeys() {
        let bytes = Array("a1b2c3d4@pbx.example".utf8)
        let first = bytes.withUnsafeBufferPointer { SipHash.randomlyKeyed().hash13($0) }
        let second = bytes.withUnsafeBufferPointer { SipHash.randomlyKeyed().hash13($0) }
        #expect(first != second)
    }
}
