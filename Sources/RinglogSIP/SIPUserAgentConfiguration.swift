/// The account the user agent acts for: its digest credentials and its address of record.
public struct SIPAccount: Sendable, Equatable {
    /// The user part of the address of record, also the digest user name (e.g. `1001`).
    public var username: String
    /// The digest password.
    public var password: String
    /// The domain of the address of record (e.g. `127.0.0.1` or `pbx.example.com`).
    public var domain: String
    /// The display name for the From header.
    public var displayName: String?

    /// Creates an account.
    public init(username: String, password: String, domain: String, displayName: String? = nil) {
        self.username = username
        self.password = password
        self.domain = domain
        self.displayName = displayName
    }

    /// The address of record, `sip:username@domain`.
    public var uri: String { "sip:\(username)@\(domain)" }
}

/// How a ``SIPUserAgent`` is set up.
///
/// libre here resolves no host names (no DNS client is configured): request URIs must name the
/// server by IP address, e.g. `sip:1001@127.0.0.1:15060`.
public struct SIPUserAgentConfiguration: Sendable, Equatable {
    /// The account requests are sent for.
    public var account: SIPAccount
    /// The local IP address the UDP transport binds to.
    public var localAddress = "127.0.0.1"
    /// The local UDP port; 0 lets the system choose.
    public var localPort: UInt16 = 0
    /// The User-Agent header value.
    public var userAgentName = "ringlog"
    /// Where every request outside a dialog is sent, e.g. `sip:192.0.2.10:5060`: libre puts it in a
    /// `Route` header with `;lr` added. `nil` sends each request to its Request-URI's host.
    public var outboundProxy: String?

    /// Creates a configuration.
    public init(
        account: SIPAccount, localAddress: String = "127.0.0.1", localPort: UInt16 = 0,
        userAgentName: String = "ringlog", outboundProxy: String? = nil
    ) {
        self.account = account
        self.localAddress = localAddress
        self.localPort = localPort
        self.userAgentName = userAgentName
        self.outboundProxy = outboundProxy
    }
}
