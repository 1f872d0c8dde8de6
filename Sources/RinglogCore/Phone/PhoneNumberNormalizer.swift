/// Turns what PBXes, caller IDs and CRM fields contain into ``PhoneNumber`` values.
public struct PhoneNumberNormalizer: Sendable {
    /// The region a number without `+` or an international prefix is read in.
    public var region: RegionCode
    /// The PBX outside-line prefix, e.g. `"0"`: `00401234567` from the PBX then means `0401234567`.
    public var outsideLinePrefix: String?

    /// Creates a normalizer for a default region and, optionally, the site's outside-line prefix.
    public init(region: RegionCode = .finland, outsideLinePrefix: String? = nil) {
        self.region = region
        self.outsideLinePrefix = outsideLinePrefix
    }

    /// Normalises one raw string; `nil` when it holds no phone number ringlog can trust.
    public func normalize(_ raw: String) -> PhoneNumber? {
        nil
    }
}
