/// An E.164 number packed into 64 bits: the contact index's hash key.
///
/// E.164 numbers have at most 15 digits and never start with 0 after the `+`, so the digits read as one
/// decimal number identify the number uniquely and fit in a `UInt64`.
public struct PhoneKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The digits after `+` as one number.
    public let rawValue: UInt64

    /// Packs an E.164 string such as `+358401234567`; `nil` for anything else.
    public init?(e164: String) {
        var utf8 = e164.utf8[...]
        guard utf8.popFirst() == UInt8(ascii: "+"), (2...15).contains(utf8.count), utf8.first != UInt8(ascii: "0")
        else { return nil }
        var value: UInt64 = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        rawValue = value
    }

    /// The E.164 string.
    public var description: String { "+\(rawValue)" }

    public static func < (lhs: PhoneKey, rhs: PhoneKey) -> Bool { lhs.rawValue < rhs.rawValue }
}
