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

    @Test("two randomly keyed hashes disagree on the same bytes")
    func randomKeys() {
        let bytes = Array("a1b2c3d4@pbx.example".utf8)
        let first = bytes.withUnsafeBufferPointer { SipHash.randomlyKeyed().hash13($0) }
        let second = bytes.withUnsafeBufferPointer { SipHash.randomlyKeyed().hash13($0) }
        #expect(first != second)
    }
}
