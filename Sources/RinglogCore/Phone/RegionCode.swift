/// A two-letter ISO 3166-1 region code as libphonenumber uses it, such as `FI`, `AX` or `SE`.
public struct RegionCode: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The upper-case code, e.g. `"FI"`.
    public let rawValue: String

    /// Finland: ringlog's default region.
    public static let finland: RegionCode = "FI"

    /// Creates a region code from two ASCII letters in any case; returns `nil` for anything else.
    public init?(_ text: String) {
        let letters = text.uppercased()
        guard letters.utf8.count == 2, letters.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
        else { return nil }
        rawValue = letters
    }

    /// Creates a region code from a literal; the literal must be two letters.
    public init(stringLiteral value: String) {
        guard let code = RegionCode(value) else { preconditionFailure("not a region code: \(value)") }
        self = code
    }

    public var description: String { rawValue }
}
