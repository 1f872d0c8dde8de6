extension SIPSettings {
    /// The keys of the `sip` block.
    static let keys = [
        "server", "domain", "username", "password", "password_file", "local_address", "local_port",
        "auto_answer_headers", "answer_timeout_seconds", "dial_prefix", "dial_format", "dialog_events",
    ]

    /// Reads a `sip` block; `allowsDialogEvents` is false for the desktop file, which has no subscriptions.
    /// - Throws: ``ConfigurationError`` naming the key and the fix.
    public init(_ object: ConfigurationObject, allowsDialogEvents: Bool = true) throws(ConfigurationError) {
        try object.rejectUnknownKeys(allowsDialogEvents ? Self.keys : Self.keys.filter { $0 != "dialog_events" })
        let serverText = try object.requiredString("server", example: "192.0.2.10:5060")
        guard let server = TransportEndpoint(parsing: serverText) else {
            throw ConfigurationError(
                key: object.keyPath("server"), "'\(serverText)' is not host:port; write e.g. 192.0.2.10:5060")
        }
        let domain = try object.string("domain")
        if let domain, domain.trimmingSpaces.isEmpty || domain.contains(where: { $0 == " " || $0 == "@" }) {
            throw ConfigurationError(key: object.keyPath("domain"), "must be a host name such as pbx.example.com")
        }
        let username = try object.requiredString("username", example: "ringlog")
        guard !username.contains(where: { $0 == " " || $0 == "@" || $0 == ":" }) else {
            throw ConfigurationError(
                key: object.keyPath("username"), "must be a SIP user name without spaces, '@' or ':'")
        }
        guard let password = try SecretSource.read("password", in: object) else {
            throw ConfigurationError(
                key: object.keyPath("password_file"),
                "is missing; name the file that holds the SIP password (or write \"password\")")
        }
        let localAddress = try object.string("local_address")
        if let localAddress, !localAddress.isIPAddressLiteral {
            throw ConfigurationError(
                key: object.keyPath("local_address"), "'\(localAddress)' is not an IP address such as 192.0.2.20")
        }
        let headers = try object.strings("auto_answer_headers") ?? Self.defaultAutoAnswerHeaders
        for (index, header) in headers.enumerated() {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex,
                !header[..<colon].contains(" "), !header.contains("\r"), !header.contains("\n")
            else {
                throw ConfigurationError(
                    key: "\(object.keyPath("auto_answer_headers"))[\(index)]",
                    "'\(header)' is not one SIP header line such as \"Call-Info: <sip:{domain}>;answer-after=0\"")
            }
        }
        let dialPrefix = try object.string("dial_prefix")
        if let dialPrefix, dialPrefix.isEmpty || !dialPrefix.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ConfigurationError(key: object.keyPath("dial_prefix"), "must be digits such as \"0\" or \"9\"")
        }
        let format = try object.choice("dial_format", of: DialNumberFormat.allCases.map(\.rawValue))
        var dialogEvents: DialogEventSettings?
        if allowsDialogEvents, let eventsObject = try object.object("dialog_events") {
            dialogEvents = try DialogEventSettings(eventsObject)
        }
        self.init(
            server: server, domain: domain, username: username, password: password, localAddress: localAddress,
            localPort: UInt16(try object.integer("local_port", in: 0...65_535) ?? 0), autoAnswerHeaders: headers,
            answerTimeoutSeconds: try object.integer("answer_timeout_seconds", in: 5...300) ?? 30,
            dialPrefix: dialPrefix, dialFormat: format.flatMap(DialNumberFormat.init) ?? .e164,
            dialogEvents: dialogEvents)
    }
}

extension DialogEventSettings {
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["extensions", "subscription_expires"])
        guard let extensions = try object.strings("extensions"), !extensions.isEmpty else {
            throw ConfigurationError(
                key: object.keyPath("extensions"), "is missing; list the extensions to watch, e.g. [\"1001\", \"1002\"]"
            )
        }
        for (index, name) in extensions.enumerated()
        where name.isEmpty || name.contains(where: { $0 == " " || $0 == "@" || $0 == ":" }) {
            throw ConfigurationError(
                key: "\(object.keyPath("extensions"))[\(index)]",
                "'\(name)' is not an extension; write its SIP user name such as 1001")
        }
        self.init(
            extensions: extensions,
            subscriptionExpiresSeconds: try object.integer("subscription_expires", in: 60...86_400) ?? 600)
    }
}

extension String {
    /// Whether the string is an IPv4 dotted quad or looks like an IPv6 literal (hex digits and colons).
    var isIPAddressLiteral: Bool {
        let parts = split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 {
            return parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber }
                    && (Int(part) ?? 256) <= 255
            }
        }
        return contains(":") && allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
