/// The replay configuration file: a site description and the numbering region.
///
/// ```json
/// {"site": {"pbx_addresses": ["10.0.0.5:5060"], "trunk_addresses": ["192.0.2.10:5060"],
///           "extension_pattern": "1\\d{3}"},
///  "region": "FI", "outside_line_prefix": "0"}
/// ```
/// Every key is optional; without `site` each dialog is its own record and the direction is `unknown`.
public struct ReplaySettings: Decodable, Sendable, Equatable {
    /// The `site` object.
    public struct Site: Decodable, Sendable, Equatable {
        /// The PBX's SIP addresses, `host:port`.
        public var pbxAddresses: [String]
        /// The trunk peers' addresses, `host:port`.
        public var trunkAddresses: [String]
        /// The extension number pattern, a regular expression matched against the whole number.
        public var extensionPattern: String?

        private enum CodingKeys: String, CodingKey {
            case pbxAddresses = "pbx_addresses"
            case trunkAddresses = "trunk_addresses"
            case extensionPattern = "extension_pattern"
        }

        /// Creates a site object.
        public init(pbxAddresses: [String], trunkAddresses: [String] = [], extensionPattern: String? = nil) {
            self.pbxAddresses = pbxAddresses
            self.trunkAddresses = trunkAddresses
            self.extensionPattern = extensionPattern
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            pbxAddresses = try container.decodeIfPresent([String].self, forKey: .pbxAddresses) ?? []
            trunkAddresses = try container.decodeIfPresent([String].self, forKey: .trunkAddresses) ?? []
            extensionPattern = try container.decodeIfPresent(String.self, forKey: .extensionPattern)
        }
    }

    /// The site description, if any.
    public var site: Site?
    /// The region numbers without `+` are read in (default `FI`).
    public var region: String?
    /// The PBX's outside-line prefix, e.g. `0`.
    public var outsideLinePrefix: String?

    private enum CodingKeys: String, CodingKey {
        case site, region
        case outsideLinePrefix = "outside_line_prefix"
    }

    /// Creates settings.
    public init(site: Site? = nil, region: String? = nil, outsideLinePrefix: String? = nil) {
        self.site = site
        self.region = region
        self.outsideLinePrefix = outsideLinePrefix
    }

    /// The tracker configuration these settings describe.
    /// - Throws: ``SiteDescriptionError`` for a bad address, pattern or region.
    public func trackerConfiguration() throws(SiteDescriptionError) -> CallTrackerConfiguration {
        var regionCode = RegionCode.finland
        if let region {
            guard let code = RegionCode(region) else {
                throw SiteDescriptionError("region '\(region)' is not a two-letter region code such as FI or SE")
            }
            regionCode = code
        }
        let normalizer = PhoneNumberNormalizer(region: regionCode, outsideLinePrefix: outsideLinePrefix)
        let description = try site.map { site throws(SiteDescriptionError) in
            try SiteDescription(
                pbxAddresses: site.pbxAddresses, trunkAddresses: site.trunkAddresses,
                extensionPattern: site.extensionPattern)
        }
        return CallTrackerConfiguration(site: description, normalizer: normalizer)
    }
}
