extension TenantConfiguration {
    /// The top-level keys a tenant configuration may have.
    public static let topLevelKeys = [
        "$schema", "tenant", "region", "state_dir", "log_level", "pipedrive", "hep", "site", "users", "policy",
        "tracker", "events", "sip", "source", "call_logs", "directory", "outbox",
    ]

    /// Reads and validates a tenant configuration; every error names the key and says what to write.
    public init(json: JSONValue) throws(ConfigurationError) {
        let root = try ConfigurationObject(json, path: "")
        try root.rejectUnknownKeys(Self.topLevelKeys)

        let tenant = try root.requiredString("tenant", example: "acme")
        guard tenant.utf8.count <= 64, tenant.utf8.allSatisfy({ $0.isTenantNameByte }) else {
            throw ConfigurationError(
                key: "tenant", "'\(tenant)' may hold only letters a-z, A-Z, digits, '-' and '_' (at most 64)")
        }
        var region = RegionCode.finland
        if let text = try root.string("region") {
            guard let code = RegionCode(text) else {
                throw ConfigurationError(key: "region", "'\(text)' is not a two-letter region code such as FI or SE")
            }
            region = code
        }
        let stateDirectory = try root.requiredString("state_dir", example: "/var/lib/ringlog/\(tenant)")
        guard stateDirectory.hasPrefix("/") else {
            throw ConfigurationError(key: "state_dir", "must be an absolute path, e.g. /var/lib/ringlog/\(tenant)")
        }
        let logLevel = try root.choice("log_level", of: LogLevel.allCases.map(\.rawValue)).flatMap(LogLevel.init)

        guard let pipedriveObject = try root.object("pipedrive") else {
            throw ConfigurationError(
                key: "pipedrive",
                "is missing; add { \"base_url\": \"https://COMPANY.pipedrive.com\", \"api_token_file\": … }")
        }
        self.init(
            tenant: tenant, region: region, stateDirectory: stateDirectory, logLevel: logLevel ?? .info,
            pipedrive: try PipedriveSettings(pipedriveObject),
            hep: try root.object("hep").map { (object) throws(ConfigurationError) in try HEPSettings(object) }
                ?? HEPSettings(),
            site: try root.object("site").map { (object) throws(ConfigurationError) in try SiteSettings(object) }
                ?? SiteSettings(),
            users: try Self.users(root),
            policy: try root.object("policy").map { (object) throws(ConfigurationError) in try CallPolicy(object) }
                ?? CallPolicy(),
            tracker: try root.object("tracker").map { (object) throws(ConfigurationError) in
                try TrackerSettings(object)
            } ?? TrackerSettings(),
            events: try root.object("events").map { (object) throws(ConfigurationError) in
                try EventSettings(object, stateDirectory: stateDirectory)
            },
            sip: try root.object("sip").map { (object) throws(ConfigurationError) in try SIPSettings(object) },
            callLogs: try root.object("call_logs").map { (object) throws(ConfigurationError) in
                try CallLogSettings(object)
            } ?? CallLogSettings(),
            directory: try root.object("directory").map { (object) throws(ConfigurationError) in
                try DirectorySettings(object)
            } ?? DirectorySettings(),
            outbox: try root.object("outbox").map { (object) throws(ConfigurationError) in try OutboxSettings(object) }
                ?? OutboxSettings())
        source = try CallSource(root, sip: sip)
    }

    private static func users(_ root: ConfigurationObject) throws(ConfigurationError) -> [String: String] {
        guard let map = try root.stringMap("users") else { return [:] }
        var users: [String: String] = [:]
        for (extensionName, email) in map {
            let key = "users.\(extensionName)"
            guard !extensionName.isEmpty, !extensionName.contains(where: { $0 == " " || $0 == "@" }) else {
                throw ConfigurationError(
                    key: key, "the extension must be a number or SIP username such as 1001, without spaces or '@'")
            }
            guard email.isPlausibleEmail else {
                throw ConfigurationError(
                    key: key, "'\(email)' is not an e-mail address; write the user's Pipedrive login")
            }
            users[extensionName] = email.lowercased()
        }
        return users
    }
}

extension PipedriveSettings {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["base_url", "api_token", "api_token_file", "oauth"])
        let baseURL = try object.requiredString("base_url", example: "https://acme.pipedrive.com")
        guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://"), baseURL.count > "https://".count else {
            throw ConfigurationError(
                key: object.keyPath("base_url"), "must be an http(s) URL such as https://acme.pipedrive.com")
        }
        let token = try SecretSource.read("api_token", in: object)
        let oauth = try object.object("oauth")
        switch (token, oauth) {
        case (let token?, nil):
            self.init(baseURL: Self.trimmingSlashes(baseURL), credentials: .apiToken(token))
        case (nil, let oauth?):
            self.init(baseURL: Self.trimmingSlashes(baseURL), credentials: .oauth(try OAuthSettings(oauth)))
        case (nil, nil):
            throw ConfigurationError(
                key: object.keyPath("api_token_file"),
                "is missing: give a personal API token (api_token_file, or api_token) or an oauth block")
        case (_?, _?):
            throw ConfigurationError(key: object.keyPath("oauth"), "and an API token are both given; keep only one")
        }
    }

    private static func trimmingSlashes(_ url: String) -> String {
        var url = Substring(url)
        while url.hasSuffix("/") { url = url.dropLast() }
        return String(url)
    }
}

extension OAuthSettings {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys([
            "client_id", "client_secret", "client_secret_file", "redirect_uri", "authorize_url", "token_url",
        ])
        guard let secret = try SecretSource.read("client_secret", in: object) else {
            throw ConfigurationError(
                key: object.keyPath("client_secret_file"),
                "is missing; name the file that holds the app's client secret")
        }
        self.init(
            clientID: try object.requiredString("client_id", example: "b1a2c3d4e5f6"), clientSecret: secret,
            redirectURI: try object.requiredString("redirect_uri", example: "https://example.com/callback"),
            authorizeURL: try object.string("authorize_url") ?? "https://oauth.pipedrive.com/oauth/authorize",
            tokenURL: try object.string("token_url") ?? "https://oauth.pipedrive.com/oauth/token")
    }
}

extension HEPSettings {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["listen", "auth_key", "auth_key_file"])
        var listen = TransportEndpoint(address: "127.0.0.1", port: 9060)
        if let text = try object.string("listen") {
            guard let parsed = TransportEndpoint(parsing: text) else {
                throw ConfigurationError(
                    key: object.keyPath("listen"), "'\(text)' is not host:port; write e.g. 127.0.0.1:9060 or [::1]:9060"
                )
            }
            listen = parsed
        }
        self.init(listen: listen, authKey: try SecretSource.read("auth_key", in: object))
    }
}

extension SiteSettings {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["extension_pattern", "pbx_addresses", "trunk_addresses", "outside_line_prefix"])
        let pattern = try object.string("extension_pattern")
        if let pattern {
            do {
                _ = try ExtensionPattern(pattern)
            } catch {
                throw ConfigurationError(key: object.keyPath("extension_pattern"), error.description)
            }
        }
        let prefix = try object.string("outside_line_prefix")
        if let prefix, prefix.isEmpty || !prefix.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        {
            throw ConfigurationError(
                key: object.keyPath("outside_line_prefix"), "must be digits such as \"0\" or \"9\"")
        }
        self.init(
            extensionPattern: pattern, pbxAddresses: try Self.addresses("pbx_addresses", in: object),
            trunkAddresses: try Self.addresses("trunk_addresses", in: object), outsideLinePrefix: prefix)
    }

    private static func addresses(_ key: String, in object: ConfigurationObject) throws(ConfigurationError)
        -> [TransportEndpoint]
    {
        var addresses: [TransportEndpoint] = []
        for (index, text) in (try object.strings(key) ?? []).enumerated() {
            guard let address = TransportEndpoint(parsing: text) else {
                throw ConfigurationError(
                    key: "\(object.keyPath(key))[\(index)]", "'\(text)' is not host:port; write e.g. 192.0.2.10:5060")
            }
            addresses.append(address)
        }
        return addresses
    }
}

extension CallPolicy {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys([
            "unmapped_extension", "default_user_email", "unknown_caller", "unknown_caller_name",
            "unknown_caller_deal",
        ])
        var unmapped = UnmappedExtension.skip
        if try object.choice("unmapped_extension", of: ["skip", "default_user"]) == "default_user" {
            let email = try object.requiredString("default_user_email", example: "switchboard@acme.fi")
            guard email.isPlausibleEmail else {
                throw ConfigurationError(
                    key: object.keyPath("default_user_email"), "'\(email)' is not an e-mail address")
            }
            unmapped = .logUnderDefaultUser(email: email.lowercased())
        }
        var unknown = UnknownCaller.logWithoutPerson
        switch try object.choice("unknown_caller", of: ["skip", "log_without_person", "create_person"]) {
        case "skip": unknown = .skip
        case "create_person":
            let template = try object.string("unknown_caller_name") ?? "Unknown caller {number}"
            guard template.contains("{number}") else {
                throw ConfigurationError(
                    key: object.keyPath("unknown_caller_name"),
                    "must contain {number}, e.g. \"Unknown caller {number}\"")
            }
            unknown = .createPerson(nameTemplate: template)
        default: break
        }
        var deal: UnknownCallerDeal?
        if let dealObject = try object.object("unknown_caller_deal") {
            guard case .createPerson = unknown else {
                throw ConfigurationError(
                    key: object.keyPath("unknown_caller_deal"),
                    "a deal is created only with a new person: set policy.unknown_caller to \"create_person\" "
                        + "or remove this block")
            }
            deal = try UnknownCallerDeal(dealObject)
        }
        self.init(unmappedExtension: unmapped, unknownCaller: unknown, unknownCallerDeal: deal)
    }
}

extension CallPolicy.UnknownCallerDeal {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["title", "pipeline_id", "stage_id"])
        let title = try object.string("title") ?? Self().titleTemplate
        guard !title.allSatisfy(\.isWhitespace) else {
            throw ConfigurationError(key: object.keyPath("title"), "must not be empty, e.g. \"Call from {number}\"")
        }
        self.init(
            titleTemplate: title, pipelineID: try object.integer("pipeline_id", in: 1...Int(Int32.max)),
            stageID: try object.integer("stage_id", in: 1...Int(Int32.max)))
    }
}

extension TrackerSettings {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["max_call_age_seconds", "max_open_calls", "reorder_window_ms"])
        let defaults = TrackerSettings()
        self.init(
            maximumCallAgeSeconds: try object.integer("max_call_age_seconds", in: 60...604_800)
                ?? defaults.maximumCallAgeSeconds,
            maximumOpenCalls: try object.integer("max_open_calls", in: 100...10_000_000) ?? defaults.maximumOpenCalls,
            reorderWindowMilliseconds: try object.integer("reorder_window_ms", in: 0...10_000)
                ?? defaults.reorderWindowMilliseconds)
    }
}

extension UInt8 {
    fileprivate var isTenantNameByte: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
            || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || self == UInt8(ascii: "-")
            || self == UInt8(ascii: "_")
    }
}

extension String {
    /// A cheap shape check: one `@`, something before it, a dot in the domain, no spaces.
    fileprivate var isPlausibleEmail: Bool {
        let parts = split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !contains(" ")
    }
}
