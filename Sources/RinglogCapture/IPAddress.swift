import Glibc

/// An IPv4 or IPv6 address as read from a packet header; hashable so it can key flows and fragments.
enum IPAddress: Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    /// Reads 4 bytes (IPv4) from `bytes` at `offset`.
    static func ipv4(_ bytes: ArraySlice<UInt8>, at offset: Int) -> IPAddress? {
        bytes.uint32(at: offset).map { .v4($0) }
    }

    /// Reads 16 bytes (IPv6) from `bytes` at `offset`.
    static func ipv6(_ bytes: ArraySlice<UInt8>, at offset: Int) -> IPAddress? {
        guard let a = bytes.uint32(at: offset), let b = bytes.uint32(at: offset + 4),
            let c = bytes.uint32(at: offset + 8), let d = bytes.uint32(at: offset + 12)
        else { return nil }
        return .v6(high: UInt64(a) << 32 | UInt64(b), low: UInt64(c) << 32 | UInt64(d))
    }

    /// The usual text form: dotted quad, or RFC 5952 IPv6 (as `inet_ntop` writes it).
    var description: String {
        switch self {
        case .v4(let value):
            return Self.dottedQuad(value)
        case .v6(let high, let low):
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { buffer in
                for index in 0..<8 {
                    buffer[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
                    buffer[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(index)))
                }
            }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return "::" }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// `a.b.c.d`, written byte by byte: this runs twice for every packet read, and the result (at most 15
    /// bytes) fits in a small string without an allocation.
    private static func dottedQuad(_ value: UInt32) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 15) { buffer in
            var count = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                let octet = Int(value >> UInt32(shift) & 0xff)
                if octet >= 100 {
                    buffer[count] = UInt8(ascii: "0") + UInt8(octet / 100)
                    count += 1
                }
                if octet >= 10 {
                    buffer[count] = UInt8(ascii: "0") + UInt8(octet / 10 % 10)
                    count += 1
                }
                buffer[count] = UInt8(ascii: "0") + UInt8(octet % 10)
                count += 1
                if shift > 0 {
                    buffer[count] = UInt8(ascii: ".")
                    count += 1
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }
}
