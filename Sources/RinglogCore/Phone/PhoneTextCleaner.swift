/// Turns raw UTF-8 into the lower-case ASCII the phone scanner reads, one byte per Unicode scalar.
///
/// ASCII letters become lower case and control characters spaces. Every kind of Unicode space
/// becomes a space; bidi, zero-width and soft-hyphen marks are dropped; Unicode dashes, the
/// fullwidth plus and similar punctuation become their ASCII forms; decimal digits of any script
/// become ASCII digits. Any other scalar becomes ``otherLetter``, which reads as part of a word.
enum PhoneTextCleaner {
    /// Longest input, in Unicode scalars, that is read at all (libphonenumber refuses longer).
    static let maximumScalarCount = 250

    /// The byte standing for a non-ASCII letter or symbol.
    static let otherLetter: UInt8 = 0x80

    /// Byte a scalar is dropped with.
    private static let dropped: UInt8 = 0

    /// Cleans `input` into `output`, which must hold ``maximumScalarCount`` bytes.
    ///
    /// Returns the number of bytes written, or `nil` when the input has more than
    /// ``maximumScalarCount`` scalars. `hasURIMarks` tells whether the output holds a `:` or a
    /// `<`, without which it can hold no URI and no name-addr.
    static func clean(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>, digitZeros: [UInt32],
        hasURIMarks: inout Bool
    ) -> Int? {
        guard let bytes = input.baseAddress else { return 0 }
        var marks: UInt8 = 0
        let end = input.count
        // Fast path: plain ASCII that fits (the common case) is copied with its letters lowered.
        var index = 0
        let asciiEnd = min(end, maximumScalarCount)
        while index < asciiEnd {
            let byte = bytes[index]
            if byte >= 0x80 { break }
            output[index] = asciiByte(byte)
            marks |= isURIMark(byte)
            index += 1
        }
        if index == end {
            hasURIMarks = marks != 0
            return end
        }
        var count = index
        var scalars = index
        while index < end {
            let byte = bytes[index]
            scalars += 1
            if scalars > maximumScalarCount { return nil }
            if byte < 0x80 {
                index += 1
                output[count] = asciiByte(byte)
                marks |= isURIMark(byte)
                count += 1
                continue
            }
            var scalar: UInt32
            var length: Int
            if byte & 0xE0 == 0xC0 {
                scalar = UInt32(byte & 0x1F)
                length = 2
            } else if byte & 0xF0 == 0xE0 {
                scalar = UInt32(byte & 0x0F)
                length = 3
            } else if byte & 0xF8 == 0xF0 {
                scalar = UInt32(byte & 0x07)
                length = 4
            } else {
                index += 1
                output[count] = otherLetter
                count += 1
                continue
            }
            var valid = index + length <= end
            if valid {
                for offset in 1..<length {
                    let continuation = bytes[index + offset]
                    if continuation & 0xC0 != 0x80 {
                        valid = false
                        break
                    }
                    scalar = scalar << 6 | UInt32(continuation & 0x3F)
                }
            }
            if !valid {
                index += 1
                output[count] = otherLetter
                count += 1
                continue
            }
            index += length
            let mapped = mapScalar(scalar, digitZeros: digitZeros)
            if mapped != dropped {
                output[count] = mapped
                marks |= isURIMark(mapped)
                count += 1
            }
        }
        hasURIMarks = marks != 0
        return count
    }

    /// 1 for `:` and `<`, else 0 (branch-free, for the copy loops).
    @inline(__always)
    private static func isURIMark(_ byte: UInt8) -> UInt8 {
        (byte == UInt8(ascii: ":") ? 1 : 0) | (byte == UInt8(ascii: "<") ? 1 : 0)
    }

    @inline(__always)
    private static func asciiByte(_ byte: UInt8) -> UInt8 {
        if byte &- UInt8(ascii: "A") < 26 { return byte | 0x20 }
        if byte < 0x20 || byte == 0x7F { return UInt8(ascii: " ") }
        return byte
    }

    /// The ASCII byte for a non-ASCII scalar, ``dropped`` for invisible marks.
    private static func mapScalar(_ scalar: UInt32, digitZeros: [UInt32]) -> UInt8 {
        switch scalar {
        case 0x00A0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x0085:
            return UInt8(ascii: " ")
        case 0x00AD, 0x061C, 0x180E, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF:
            return dropped
        case 0x2010...0x2015, 0x2212, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63, 0xFF0D, 0x30FC:
            return UInt8(ascii: "-")
        case 0xFF0B, 0xFE62:
            return UInt8(ascii: "+")
        case 0xFF0E, 0x3002, 0xFF61, 0x2024:
            return UInt8(ascii: ".")
        case 0xFF0F, 0x2215, 0x2044:
            return UInt8(ascii: "/")
        case 0xFF08, 0xFE59:
            return UInt8(ascii: "(")
        case 0xFF09, 0xFE5A:
            return UInt8(ascii: ")")
        case 0xFF03, 0xFE5F:
            return UInt8(ascii: "#")
        case 0xFF0C, 0xFE50, 0x3001:
            return UInt8(ascii: ",")
        case 0xFF1B, 0xFE54:
            return UInt8(ascii: ";")
        case 0xFF21...0xFF3A:
            return UInt8(truncatingIfNeeded: scalar - 0xFF21) + UInt8(ascii: "a")
        case 0xFF41...0xFF5A:
            return UInt8(truncatingIfNeeded: scalar - 0xFF41) + UInt8(ascii: "a")
        default:
            if let digit = decimalDigitValue(scalar, digitZeros: digitZeros) {
                return UInt8(ascii: "0") + digit
            }
            return otherLetter
        }
    }

    /// The value of a Unicode decimal digit (category Nd), found by binary search over the zeros.
    private static func decimalDigitValue(_ scalar: UInt32, digitZeros: [UInt32]) -> UInt8? {
        var low = 0
        var high = digitZeros.count
        while low < high {
            let middle = (low + high) / 2
            if digitZeros[middle] <= scalar {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low > 0 else { return nil }
        let offset = scalar - digitZeros[low - 1]
        return offset < 10 ? UInt8(offset) : nil
    }
}
