/// The `sip` block: how ringlog reaches the PBX as a SIP user agent, for `ringlog dial` (click-to-call)
/// and for dialog-event subscriptions.
public struct SIPSettings: Sendable, Equatable {
    /// The headers that ask most desk phones to answer by themselves (intercom / auto-answer):
    /// RFC 5373-style `Call-Info` with `answer-after=0` and the `Alert-Info` several vendors read.
    public static let defaultAutoAnswerHeaders = [
        "Call-Info: <sip:{domain}>;answer-after=0",
        "Alert-Info: <http://www.notused.com>;info=alert-autoanswer;delay=0",
    ]

    /// The PBX, `host:port`. ringlog sends every request there (as an outbound proxy).
    public var server: TransportEndpoint
    /// The SIP domain of addresses (`sip:1001@DOMAIN`) and the digest realm's usual value; by default
    /// the server's host.
    public var domain: String
    /// The digest user name, also the user part of ringlog's From address.
    public var username: String
    /// The digest password.
    public var password: SecretSource
    /// The local IP address to bind and to put in Via and Contact; `nil` picks the address that routes
    /// to the server.
    public var localAddress: String?
    /// The local UDP port; 0 lets the system choose.
    public var localPort: UInt16
    /// Extra headers on the INVITE to the user's phone, `{domain}` replaced; empty for none.
    public var autoAnswerHeaders: [String]
    /// How long the user's phone may ring before `ringlog dial` gives up.
    public var answerTimeoutSeconds: Int
    /// Digits put in front of outside numbers; `nil` uses the site's outside-line prefix.
    public var dialPrefix: String?
    /// How outside numbers are written for the PBX.
    public var dialFormat: DialNumberFormat
    /// Dialog-event subscriptions (RFC 4235), when the PBX cannot send HEP.
    public var dialogEvents: DialogEventSettings?

    /// Creates SIP settings.
    public init(
        server: TransportEndpoint, domain: String? = nil, username: String, password: SecretSource,
        localAddress: String? = nil, localPort: UInt16 = 0,
        autoAnswerHeaders: [String] = SIPSettings.defaultAutoAnswerHeaders, answerTimeoutSeconds: Int = 30,
        dialPrefix: String? = nil, dialFormat: DialNumberFormat = .e164, dialogEvents: DialogEventSettings? = nil
    ) {
        self.server = server
        self.domain = domain ?? server.address
        self.username = username
        self.password = password
        self.localAddress = localAddress
        self.localPort = localPort
        self.autoAnswerHeaders = autoAnswerHeaders
        self.answerTimeoutSeconds = answerTimeoutSeconds
        self.dialPrefix = dialPrefix
        self.dialFormat = dialFormat
        self.dialogEvents = dialogEvents
    }

    /// The prefix in front of outside numbers: `dial_prefix` when set, else the site's outside-line prefix
    /// for the national format (an E.164 `+…` number gets none unless `dial_prefix` asks for it).
    public func dialPrefix(siteOutsideLinePrefix: String?) -> String? {
        dialPrefix ?? (dialFormat == .national ? siteOutsideLinePrefix : nil)
    }

    /// The auto-answer headers with `{domain}` filled in.
    public var resolvedAutoAnswerHeaders: [String] {
        autoAnswerHeaders.map { $0.replacing("{domain}", with: domain) }
    }
}

/// `sip.dialog_events`: which extensions ringlog watches with RFC 4235 `dialog` subscriptions.
public struct DialogEventSettings: Sendable, Equatable {
    /// The extensions (SIP user names) to subscribe to, e.g. `["1001", "1002"]`.
    public var extensions: [String]
    /// The Expires value asked for; libre refreshes each subscription at 90 % of what the PBX grants.
    public var subscriptionExpiresSeconds: Int

    /// Creates dialog-event settings; subscriptions last 600 s by default.
    public init(extensions: [String], subscriptionExpiresSeconds: Int = 600) {
        self.extensions = extensions
        self.subscriptionExpiresSeconds = subscriptionExpiresSeconds
    }
}
