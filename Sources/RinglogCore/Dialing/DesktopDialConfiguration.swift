/// The per-user file of `ringlog dial` on a desktop, `~/.config/ringlog/dial.json`:
///
/// ```json
/// {"sip": {"server": "192.0.2.10:5060", "username": "1001", "password_file": "/home/anna/.config/ringlog/sip.password"},
///  "extension": "1001", "region": "FI", "outside_line_prefix": "0"}
/// ```
///
/// A smaller schema than the tenant file: the `sip` block (without `dialog_events`), the user's own
/// extension, and how numbers are read and dialled. Errors name the key and the fix, like the tenant file's.
public struct DesktopDialConfiguration: Sendable, Equatable {
    /// The top-level keys the file may have.
    public static let topLevelKeys = [
        "$schema", "sip", "extension", "region", "outside_line_prefix", "extension_pattern",
    ]

    /// How ringlog reaches the PBX.
    public var sip: SIPSettings
    /// The user's own extension: the phone that rings first.
    public var extensionNumber: String
    /// The region numbers without `+` are read in.
    public var region: RegionCode
    /// The PBX's outside-line prefix, e.g. `0`.
    public var outsideLinePrefix: String?
    /// Internal extensions, dialled as they are (e.g. `1\d{3}`).
    public var extensionPattern: String?

    /// Creates a desktop configuration.
    public init(
        sip: SIPSettings, extensionNumber: String, region: RegionCode = .finland, outsideLinePrefix: String? = nil,
        extensionPattern: String? = nil
    ) {
        self.sip = sip
        self.extensionNumber = extensionNumber
        self.region = region
        self.outsideLinePrefix = outsideLinePrefix
        self.extensionPattern = extensionPattern
    }

    /// Reads and validates the file's JSON.
    /// - Throws: ``ConfigurationError`` naming the key and the fix.
    public init(json: JSONValue) throws(ConfigurationError) {
        let root = try ConfigurationObject(json, path: "")
        try root.rejectUnknownKeys(Self.topLevelKeys)
        guard let sipObject = try root.object("sip") else {
            throw ConfigurationError(
                key: "sip",
                "is missing; add {\"server\": \"192.0.2.10:5060\", \"username\": \"1001\", \"password_file\": …}")
        }
        let sip = try SIPSettings(sipObject, allowsDialogEvents: false)
        let extensionNumber = try root.requiredString("extension", example: "1001")
        guard extensionNumber.isSIPUserName else {
            throw ConfigurationError(key: "extension", "'\(extensionNumber)' is not an extension such as 1001")
        }
        var region = RegionCode.finland
        if let text = try root.string("region") {
            guard let code = RegionCode(text) else {
                throw ConfigurationError(key: "region", "'\(text)' is not a two-letter region code such as FI or SE")
            }
            region = code
        }
        let prefix = try root.string("outside_line_prefix")
        if let prefix, prefix.isEmpty || !prefix.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ConfigurationError(key: "outside_line_prefix", "must be digits such as \"0\" or \"9\"")
        }
        let pattern = try root.string("extension_pattern")
        if let pattern {
            do {
                _ = try ExtensionPattern(pattern)
            } catch {
                throw ConfigurationError(key: "extension_pattern", error.description)
            }
        }
        self.init(
            sip: sip, extensionNumber: extensionNumber, region: region, outsideLinePrefix: prefix,
            extensionPattern: pattern)
    }

    /// Every inline secret, with its key (the loader then requires an owner-only file).
    public var inlineSecretKeys: [String] {
        if case .inline = sip.password { return ["sip.password"] }
        return []
    }

    /// What `ringlog dial` needs from this file.
    public var dialSetup: DialSetup {
        DialSetup(
            sip: sip, fromExtension: extensionNumber,
            plan: DialPlan(
                region: region, outsideLinePrefix: outsideLinePrefix,
                dialPrefix: sip.dialPrefix(siteOutsideLinePrefix: outsideLinePrefix),
                numberFormat: sip.dialFormat, extensionPattern: extensionPattern))
    }
}

/// Everything one `ringlog dial` needs: the PBX account, the user's extension and the dial plan.
public struct DialSetup: Sendable, Equatable {
    /// The PBX account ringlog uses.
    public var sip: SIPSettings
    /// The user's extension, whose phone rings first.
    public var fromExtension: String
    /// How the clicked number becomes the dial string.
    public var plan: DialPlan

    /// Creates a setup.
    public init(sip: SIPSettings, fromExtension: String, plan: DialPlan) {
        self.sip = sip
        self.fromExtension = fromExtension
        self.plan = plan
    }

    /// The SIP URI of the user's phone, `sip:1001@DOMAIN`.
    public var extensionURI: String { "sip:\(fromExtension)@\(sip.domain)" }
}

extension TenantConfiguration {
    /// The `ringlog dial` setup for `extensionNumber` on the PBX host; `nil` when the file has no `sip` block.
    public func dialSetup(fromExtension extensionNumber: String) -> DialSetup? {
        guard let sip else { return nil }
        return DialSetup(
            sip: sip, fromExtension: extensionNumber,
            plan: DialPlan(
                region: region, outsideLinePrefix: site.outsideLinePrefix,
                dialPrefix: sip.dialPrefix(siteOutsideLinePrefix: site.outsideLinePrefix), numberFormat: sip.dialFormat,
                extensionPattern: site.extensionPattern))
    }
}

extension String {
    /// A SIP user name such as an extension: not empty, no spaces, `@` or `:`.
    public var isSIPUserName: Bool {
        !isEmpty && !contains(where: { $0 == " " || $0 == "@" || $0 == ":" || $0 == ";" || $0 == ">" || $0 == "<" })
    }
}
