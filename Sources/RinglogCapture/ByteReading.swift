/// Bounds-checked big-endian reads on byte slices, relative to the slice's start.
///
/// Every protocol parser in this module reads through these helpers so that a short or hostile packet
/// yields `nil` instead of trapping.
extension ArraySlice<UInt8> {
    /// The byte at `offset` from the start, or `nil` past the end.
    func byte(at offset: Int) -> UInt8? {
        guard offset >= 0, offset < count else { return nil }
        return self[startIndex + offset]
    }

    /// The big-endian 16-bit value at `offset`, or `nil` when it does not fit.
    func uint16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= count else { return nil }
        let index = startIndex + offset
        return UInt16(self[index]) << 8 | UInt16(self[index + 1])
    }

    /// The big-endian 32-bit value at `offset`, or `nil` when it does not fit.
    func uint32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= count else { return nil }
        let index = startIndex + offset
        return UInt32(self[index]) << 24 | UInt32(self[index + 1]) << 16 | UInt32(self[index + 2]) << 8
            | UInt32(self[index + 3])
    }

    /// The bytes from `offset` to the end, or `nil` when `offset` is past the end.
    func dropping(_ offset: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, offset <= count else { return nil }
        return self[(startIndex + offset)...]
    }

    /// `length` bytes starting at `offset`, or `nil` when they do not fit.
    func bytes(at offset: Int, length: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, length >= 0, offset + length <= count else { return nil }
        return self[(startIndex + offset)..<(startIndex + offset + length)]
    }

    /// Whether the slice starts with `prefix`.
    func starts(withASCII prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard count >= length else { return false }
        return prefix.withUTF8Buffer { expected in
            var index = startIndex
            for byte in expected {
                if self[index] != byte { return false }
                index += 1
            }
            return true
        }
    }
}

/// The same bounds-checked reads on raw bytes, for parsing straight from libpcap's buffer.
extension UnsafeRawBufferPointer {
    /// The byte at `offset` from the start, or `nil` past the end.
    @inline(__always)
    func byte(at offset: Int) -> UInt8? {
        guard offset >= 0, offset < count else { return nil }
        return self[offset]
    }

    /// The big-endian 16-bit value at `offset`; the caller has checked that `offset + 2 <= count`.
    @inline(__always)
    func uncheckedUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian 32-bit value at `offset`; the caller has checked that `offset + 4 <= count`.
    @inline(__always)
    func uncheckedUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The 8 bytes at `offset` as one little-endian word (byte `offset` lowest), or `nil` when they do not fit.
    @inline(__always)
    func littleEndianWord(at offset: Int) -> UInt64? {
        guard offset >= 0, offset + 8 <= count else { return nil }
        return UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
