import CZlib

/// Inflates compressed HEP payloads (chunk 0x0010) with zlib: zlib streams (`78 9c`), gzip members
/// (`1f 8b`) and raw deflate data are all accepted.
///
/// Output is capped: a payload that would inflate past ``maximumOutputSize`` is refused as soon as the
/// cap is crossed, so a decompression bomb costs at most the cap in memory.
public struct ZlibInflater: Sendable {
    /// The default output cap: 256 KiB, four times the largest UDP datagram.
    public static let defaultMaximumOutputSize = 256 * 1024

    /// The most bytes one payload may inflate to.
    public var maximumOutputSize: Int

    /// Creates an inflater that refuses output larger than `maximumOutputSize` bytes.
    public init(maximumOutputSize: Int = ZlibInflater.defaultMaximumOutputSize) {
        self.maximumOutputSize = maximumOutputSize
    }

    /// The inflater as the closure ``HEPDecoder`` takes: `HEPDecoder(authKey: key, inflate: ZlibInflater().closure)`.
    public var closure: @Sendable ([UInt8]) -> [UInt8]? {
        let inflater = self
        return { compressed in inflater.inflate(compressed) }
    }

    /// The inflated bytes, or `nil` when `compressed` is not valid zlib, gzip or deflate data, is cut
    /// short, or inflates to more than ``maximumOutputSize`` bytes.
    public func inflate(_ compressed: [UInt8]) -> [UInt8]? {
        guard !compressed.isEmpty, maximumOutputSize > 0 else { return nil }
        var input = compressed
        return input.withUnsafeMutableBufferPointer { inputBuffer -> [UInt8]? in
            guard let inputBase = inputBuffer.baseAddress else { return nil }
            var stream = z_stream()
            stream.next_in = inputBase
            stream.avail_in = uInt(inputBuffer.count)
            let status = inflateInit2_(
                &stream, Self.windowBits(for: compressed), zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { return nil }
            defer { inflateEnd(&stream) }
            return drain(&stream)
        }
    }

    /// Runs `inflate` until the stream ends, collecting output in bounded chunks.
    private func drain(_ stream: inout z_stream) -> [UInt8]? {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: Swift.min(16 * 1024, maximumOutputSize + 1))
        while true {
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { chunkBuffer -> (Int32, Int) in
                stream.next_out = chunkBuffer.baseAddress
                stream.avail_out = uInt(chunkBuffer.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, chunkBuffer.count - Int(stream.avail_out))
            }
            guard output.count + produced <= maximumOutputSize else { return nil }
            output.append(contentsOf: chunk[0..<produced])
            switch status {
            case Z_STREAM_END:
                return output
            case Z_OK:
                // No progress with input left would loop forever; zlib reports Z_BUF_ERROR then, but be safe.
                if produced == 0, stream.avail_in == 0 { return nil }
            default:
                return nil  // Z_BUF_ERROR (truncated input), Z_DATA_ERROR, Z_MEM_ERROR, Z_NEED_DICT.
            }
        }
    }

    /// zlib's `windowBits` for the format the first bytes announce: gzip, zlib, or raw deflate.
    private static func windowBits(for bytes: [UInt8]) -> Int32 {
        if bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b { return 15 + 16 }
        if bytes.count >= 2, bytes[0] & 0x0f == 8, bytes[0] >> 4 <= 7,
            (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0
        {
            return 15
        }
        return -15
    }
}
