/// What libre's decoder (`sip_msg_decode`, Debian 12 libre 1.1.0) read from one SIP message.
///
/// A neutral summary made only of strings and numbers, so that tests can compare it with ringlog's own
/// decoder without either side depending on the other. Values are as libre delimits them; the only
/// changes are the ones each property's documentation names.
public struct LibreSIPMessage: Sendable, Equatable {
    /// A request's method and Request-URI, or a response's status code and reason phrase.
    public enum StartLine: Sendable, Equatable {
        /// A request: method and Request-URI exactly as written.
        case request(method: String, uri: String)
        /// A response: status code and reason phrase as written (it may be empty).
        case response(status: Int, reason: String)
    }

    /// The start line.
    public var startLine: StartLine
    /// The Call-ID header, or `nil` when the message has none.
    public var callID: String?
    /// The CSeq number (0 when there is no CSeq header).
    public var cseqNumber: UInt32
    /// The CSeq method as written, or `nil` when there is no CSeq header.
    public var cseqMethod: String?
    /// The From header, or `nil` when it is missing or libre could not decode it.
    public var from: LibreNameAddress?
    /// The To header, or `nil` when it is missing or libre could not decode it.
    public var to: LibreNameAddress?
    /// The branch parameter of the topmost Via header.
    public var topViaBranch: String?
    /// The first Contact value (libre splits comma-joined Contact values).
    public var contact: LibreNameAddress?
    /// Every P-Asserted-Identity value, in order.
    public var pAssertedIdentities: [LibreNameAddress]
    /// The first Remote-Party-ID value.
    public var remotePartyID: LibreNameAddress?
    /// Every Diversion value, in order.
    public var diversions: [LibreNameAddress]
    /// Every History-Info value, in order.
    public var historyInfo: [LibreNameAddress]
    /// The Refer-To header.
    public var referTo: LibreNameAddress?
    /// The Referred-By header.
    public var referredBy: LibreNameAddress?
    /// The Replaces header, or else the `Replaces` URI header embedded in the Refer-To URI (unescaped).
    public var replaces: LibreReplaces?
    /// Every Reason value, in order, with each run of white space (folding included) shown as one space.
    public var reasons: [String]
    /// The Content-Type `type/subtype`, lower case, without parameters.
    public var contentType: String?
    /// Names of headers present in the message whose value libre could not decode as an address.
    public var undecodableHeaders: [String]

    /// Creates a summary; the decoder fills it, tests may build expected values with it.
    public init(
        startLine: StartLine, callID: String? = nil, cseqNumber: UInt32 = 0, cseqMethod: String? = nil,
        from: LibreNameAddress? = nil, to: LibreNameAddress? = nil, topViaBranch: String? = nil,
        contact: LibreNameAddress? = nil, pAssertedIdentities: [LibreNameAddress] = [],
        remotePartyID: LibreNameAddress? = nil, diversions: [LibreNameAddress] = [],
        historyInfo: [LibreNameAddress] = [], referTo: LibreNameAddress? = nil,
        referredBy: LibreNameAddress? = nil, replaces: LibreReplaces? = nil, reasons: [String] = [],
        contentType: String? = nil, undecodableHeaders: [String] = []
    ) {
        self.startLine = startLine
        self.callID = callID
        self.cseqNumber = cseqNumber
        self.cseqMethod = cseqMethod
        self.from = from
        self.to = to
        self.topViaBranch = topViaBranch
        self.contact = contact
        self.pAssertedIdentities = pAssertedIdentities
        self.remotePartyID = remotePartyID
        self.diversions = diversions
        self.historyInfo = historyInfo
        self.referTo = referTo
        self.referredBy = referredBy
        self.replaces = replaces
        self.reasons = reasons
        self.contentType = contentType
        self.undecodableHeaders = undecodableHeaders
    }

    /// Whether the message has the headers every dialog message needs: Call-ID, CSeq, From and To.
    public var hasDialogHeaders: Bool {
        callID != nil && cseqMethod != nil && from != nil && to != nil
    }
}

/// A name-addr or addr-spec as libre's `sip_addr_decode` splits it.
public struct LibreNameAddress: Sendable, Equatable, Hashable {
    /// The display name: libre's text before `<`, without surrounding quotes (quoted pairs unescaped)
    /// and white space runs shown as one space; `nil` when empty.
    public var displayName: String?
    /// The URI as written: inside the angle brackets, or up to the first `;` for an addr-spec.
    public var uri: String
    /// The `tag` header parameter.
    public var tag: String?

    /// Creates an address.
    public init(displayName: String? = nil, uri: String, tag: String? = nil) {
        self.displayName = displayName
        self.uri = uri
        self.tag = tag
    }
}

/// The dialog a Replaces value names (RFC 3891).
public struct LibreReplaces: Sendable, Equatable, Hashable {
    /// The Call-ID part (before the first `;`).
    public var callID: String
    /// The `to-tag` parameter.
    public var toTag: String?
    /// The `from-tag` parameter.
    public var fromTag: String?

    /// Creates a Replaces value.
    public init(callID: String, toTag: String?, fromTag: String?) {
        self.callID = callID
        self.toTag = toTag
        self.fromTag = fromTag
    }
}
