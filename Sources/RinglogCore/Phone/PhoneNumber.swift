/// A phone number that ringlog understood, in the forms call logging needs.
public struct PhoneNumber: Hashable, Sendable {
    /// Whether a number can be dialled from anywhere or only inside Finland.
    public enum Kind: Hashable, Sendable {
        /// A number with an E.164 form.
        case international
        /// A Finnish short number (112, 116117, 075100): it has no E.164 form.
        case short
    }

    /// The E.164 form, e.g. `+358400124387`; `nil` for short numbers (112, 116117, 075100), which have none.
    public var e164: String?
    /// The Finnish national form for +358 numbers (Åland's 018… included), e.g. `0400124387`;
    /// for Finnish short numbers their digits as dialled; `nil` for foreign numbers.
    public var nationalFinnish: String?
    /// The extension written after the number (`ext 12`, `x12`, `#12`, `p12`, `sis. 12`), digits only.
    public var extensionDigits: String?

    /// Creates a phone number from its forms.
    public init(e164: String?, nationalFinnish: String?, extensionDigits: String? = nil) {
        self.e164 = e164
        self.nationalFinnish = nationalFinnish
        self.extensionDigits = extensionDigits
    }

    /// The key the contact index matches on: the E.164 form. Never region plus national number,
    /// so Åland (+358 18…) and mainland numbers compare alike.
    public var matchKey: String? { e164 }

    /// ``Kind/short`` when the number has no E.164 form, else ``Kind/international``.
    public var kind: Kind { e164 == nil ? .short : .international }
}
