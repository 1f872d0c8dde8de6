import CZlib
import Testing

@testable import RinglogCapture

@Suite struct ZlibInflaterTests {
    /// Compresses with zlib's deflate: `windowBits` 15 = zlib stream, 31 = gzip, -15 = raw deflate.
    static func deflate(_ input: [UInt8], windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, Z_BEST_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var source = input
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        let produced = source.withUnsafeMutableBufferPointer { sourceBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer -> Int in
                stream.next_in = sourceBuffer.baseAddress
                stream.avail_in = uInt(sourceBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                guard CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END else { return 0 }
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }

    static let sip = Array(
        ("INVITE sip:1001@127.0.0.1 SIP/2.0\r\nCall-ID: zlib-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").utf8)

    @Test(arguments: [15, 31, -15] as [Int32])
    func inflatesZlibGzipAndRawDeflate(_ windowBits: Int32) {
        let compressed = Self.deflate(Self.sip, windowBits: windowBits)
        #expect(!compressed.isEmpty)
        #expect(ZlibInflater().inflate(compressed) == Self.sip)
        #expect(ZlibInflater().closure(compressed) == Self.sip)
    }

    @Test func zlibStreamsStartWith789C() {
        #expect(Self.deflate(Self.sip, windowBits: 15).prefix(1) == [0x78])
    }

    @Test func refusesABombWithoutInflatingIt() {
        // 16 MiB of zeros compress to about 16 KiB.
        let bomb = Self.deflate([UInt8](repeating: 0, count: 16 * 1024 * 1024), windowBits: 15)
        #expect(bomb.count < 64 * 1024)
        #expect(ZlibInflater().inflate(bomb) == nil)
        #expect(ZlibInflater(maximumOutputSize: 32 * 1024 * 1024).inflate(bomb)?.count == 16 * 1024 * 1024)
    }

    @Test func acceptsOutputExactlyAtTheCap() {
        let data = [UInt8](repeating: 0x41, count: 1000)
        let compressed = Self.deflate(data, windowBits: 15)
        #expect(ZlibInflater(maximumOutputSize: 1000).inflate(compressed) == data)
        #expect(ZlibInflater(maximumOutputSize: 999).inflate(compressed) == nil)
    }

    @Test func refusesGarbageTruncatedAndEmptyInput() {
        let compressed = Self.deflate(Self.sip, windowBits: 15)
        #expect(ZlibInflater().inflate([]) == nil)
        #expect(ZlibInflater().inflate(Array(compressed.prefix(compressed.count / 2))) == nil)
        #expect(ZlibInflater().inflate(Array("INVITE sip:x SIP/2.0".utf8)) == nil)
        #expect(ZlibInflater().inflate([0x78, 0x9c, 0xff, 0xff, 0xff]) == nil)
    }

    @Test func survivesRandomMutations() {
        var random = SplitMix64(seed: 7)
        let compressed = Self.deflate(Array(String(repeating: "SIP/2.0 200 OK\r\n", count: 200).utf8), windowBits: 15)
        for _ in 0..<2000 {
            var mutated = compressed
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(mutated.count))
                mutated[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            }
            if let output = ZlibInflater().inflate(mutated) {
                #expect(output.count <= ZlibInflater.defaultMaximumOutputSize)
            }
        }
    }
}

/// A small deterministic pseudo-random generator (SplitMix64), so fuzz-style tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}
