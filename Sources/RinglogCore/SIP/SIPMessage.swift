/// What ringlog needs of one SIP message, decoded from its bytes.
///
/// The decoder (``SIPMessage/init(decoding:)``) fills it; the call tracker reads it. Header values that
/// ringlog does not interpret are not kept. URIs are kept as written (without the angle brackets).
public struct SIPMessage: Sendable, Equatable {
    /// A request's method and Request-URI, or a response's status code and reason phrase.
    public enum StartLine: Sendable, Equatable {
        case request(method: String, uri: String)
        case response(status: Int, reason: String)
    }

    /// The start line with its URI or reason phrase read on demand.
    enum LazyStartLine: Sendable {
        case request(method: String, uri: SIPLazyText)
        case response(status: Int, reason: SIPLazyText)
    }

    /// The decoded message's bytes, which the fields below point into, followed by the bytes of any text
    /// set through a property (or unfolded or unescaped while decoding). Held, not copied: the packet's
    /// payload array is shared until a property is set.
    var storage: [UInt8] = []
    /// Whether the start line is a request line.
    var isRequest = false
    /// The request's method (a request).
    var requestMethod = SIPLazyMethod.empty
    /// The response's status code (a response).
    var responseStatus = 0
    /// The Request-URI (a request) or the reason phrase (a response).
    var startLineText = SIPLazyText.absent
    var lazyCallID = SIPLazyText.absent
    var lazyCSeqMethod = SIPLazyMethod.empty
    var lazyFrom = SIPLazyAddress(displayName: .absent, uri: .absent, tag: .absent)
    var lazyTo = SIPLazyAddress(displayName: .absent, uri: .absent, tag: .absent)
    var lazyTopViaBranch = SIPLazyText.absent
    var lazyContact: SIPLazyAddress?
    var lazyContentType = SIPLazyContentType.absent

    /// The start line with its URI or reason phrase as a range (the call tracker switches on it).
    var lazyStartLine: LazyStartLine {
        if isRequest { return .request(method: requestMethod.string(in: storage), uri: startLineText) }
        return .response(status: responseStatus, reason: startLineText)
    }

    /// The start line.
    public var startLine: StartLine {
        get {
            let text = startLineText.string(in: storage) ?? ""
            if isRequest { return .request(method: requestMethod.string(in: storage), uri: text) }
            return .response(status: responseStatus, reason: text)
        }
        set {
            switch newValue {
            case .request(let method, let uri):
                isRequest = true
                requestMethod = stored(method: method)
                startLineText = stored(uri)
            case .response(let status, let reason):
                isRequest = false
                responseStatus = status
                startLineText = stored(reason)
            }
        }
    }
    /// The Call-ID header (compact form `i`).
    public var callID: String {
        get { lazyCallID.string(in: storage) ?? "" }
        set { lazyCallID = stored(newValue) }
    }
    /// The CSeq sequence number.
    public var cseqNumber: UInt32 = 0
    /// The CSeq method, upper case as written.
    public var cseqMethod: String {
        get { lazyCSeqMethod.string(in: storage) }
        set { lazyCSeqMethod = stored(method: newValue) }
    }
    /// The From header (compact `f`), with its tag.
    public var from: NameAddress {
        get { lazyFrom.address(in: storage) }
        set { lazyFrom = stored(newValue) }
    }
    /// The To header (compact `t`), with its tag once the dialog has one.
    public var to: NameAddress {
        get { lazyTo.address(in: storage) }
        set { lazyTo = stored(newValue) }
    }
    /// The branch parameter of the topmost Via header (compact `v`).
    public var topViaBranch: String? {
        get { lazyTopViaBranch.string(in: storage) }
        set { lazyTopViaBranch = stored(newValue) }
    }
    /// The first Contact header (compact `m`).
    public var contact: NameAddress? {
        get { lazyContact?.address(in: storage) }
        set { lazyContact = newValue.map { stored($0) } }
    }
    /// Headers that most messages lack, as an array of none or one: a message without them carries an
    /// empty array (no allocation), and a copy of the message shares them. Moving a decoded message through
    /// the reorder buffer copies its bytes; these eight fields inline would double its size.
    private var rare: [RareHeaders] = []

    private struct RareHeaders: Sendable {
        var pAssertedIdentities: [NameAddress] = []
        var remotePartyID: NameAddress?
        var diversions: [NameAddress] = []
        var historyInfo: [NameAddress] = []
        var referTo: NameAddress?
        var referredBy: NameAddress?
        var replaces: Replaces?
        var reasons: [String] = []
    }

    /// Sets one of the rare headers; an empty value on a message without any stores nothing.
    private mutating func setRare<Value>(_ field: WritableKeyPath<RareHeaders, Value>, _ value: Value, isEmpty: Bool) {
        if rare.isEmpty {
            guard !isEmpty else { return }
            rare = [RareHeaders()]
        }
        rare[0][keyPath: field] = value
    }

    /// Every P-Asserted-Identity value, in order.
    public var pAssertedIdentities: [NameAddress] {
        get { rare.first?.pAssertedIdentities ?? [] }
        set { setRare(\.pAssertedIdentities, newValue, isEmpty: newValue.isEmpty) }
    }
    /// The first Remote-Party-ID value.
    public var remotePartyID: NameAddress? {
        get { rare.first?.remotePartyID }
        set { setRare(\.remotePartyID, newValue, isEmpty: newValue == nil) }
    }
    /// Every Diversion value, in order (the first is the most recent redirection).
    public var diversions: [NameAddress] {
        get { rare.first?.diversions ?? [] }
        set { setRare(\.diversions, newValue, isEmpty: newValue.isEmpty) }
    }
    /// Every History-Info entry, in order.
    public var historyInfo: [NameAddress] {
        get { rare.first?.historyInfo ?? [] }
        set { setRare(\.historyInfo, newValue, isEmpty: newValue.isEmpty) }
    }
    /// The Refer-To header (compact `r`).
    public var referTo: NameAddress? {
        get { rare.first?.referTo }
        set { setRare(\.referTo, newValue, isEmpty: newValue == nil) }
    }
    /// The Referred-By header (compact `b`).
    public var referredBy: NameAddress? {
        get { rare.first?.referredBy }
        set { setRare(\.referredBy, newValue, isEmpty: newValue == nil) }
    }
    /// The Replaces header, from its own header or embedded in a Refer-To URI's `Replaces=` header.
    public var replaces: Replaces? {
        get { rare.first?.replaces }
        set { setRare(\.replaces, newValue, isEmpty: newValue == nil) }
    }
    /// Every Reason header value, e.g. `SIP;cause=200;text="Call completed elsewhere"`.
    public var reasons: [String] {
        get { rare.first?.reasons ?? [] }
        set { setRare(\.reasons, newValue, isEmpty: newValue.isEmpty) }
    }
    /// The Content-Type media type (compact `c`), lower case, without parameters.
    public var contentType: String? {
        get {
            switch lazyContentType {
            case .absent: nil
            case .sdp: "application/sdp"
            case .decoded(let text): text.string(in: storage)?.lowercased()
            case .given(let text): text.string(in: storage)
            }
        }
        set {
            switch newValue {
            case nil: lazyContentType = .absent
            case "application/sdp"?: lazyContentType = .sdp
            case let text?: lazyContentType = .given(stored(text))
            }
        }
    }
    /// The media direction of the SDP body's first audio stream (or its session level), when there is SDP.
    public var sdpDirection: SDPDirection?

    /// Creates a message from decoded parts; the decoder uses this, and so do tests.
    public init(
        startLine: StartLine, callID: String, cseqNumber: UInt32, cseqMethod: String,
        from: NameAddress, to: NameAddress, topViaBranch: String? = nil, contact: NameAddress? = nil,
        pAssertedIdentities: [NameAddress] = [], remotePartyID: NameAddress? = nil,
        diversions: [NameAddress] = [], historyInfo: [NameAddress] = [], referTo: NameAddress? = nil,
        referredBy: NameAddress? = nil, replaces: Replaces? = nil, reasons: [String] = [],
        contentType: String? = nil, sdpDirection: SDPDirection? = nil
    ) {
        self.startLine = startLine
        self.callID = callID
        self.cseqNumber = cseqNumber
        self.cseqMethod = cseqMethod
        self.from = from
        self.to = to
        self.topViaBranch = topViaBranch
        self.contact = contact
        self.contentType = contentType
        self.pAssertedIdentities = pAssertedIdentities
        self.remotePartyID = remotePartyID
        self.diversions = diversions
        self.historyInfo = historyInfo
        self.referTo = referTo
        self.referredBy = referredBy
        self.replaces = replaces
        self.reasons = reasons
        self.sdpDirection = sdpDirection
    }

    /// An empty message (a response with status 0 and no fields) for the decoder to fill in.
    init() {}

    /// A range of `storage` holding `text`'s bytes, appended to it (`nil`: absent).
    private mutating func stored(_ text: String?) -> SIPLazyText {
        guard let text else { return .absent }
        let start = storage.count
        storage.append(contentsOf: text.utf8)
        return SIPMessageDecoder.range(start, storage.count)
    }

    /// `name` as a usual method's number, or else as a range of `storage` holding its bytes.
    private mutating func stored(method name: String) -> SIPLazyMethod {
        var name = name
        let known = name.withUTF8 { SIPLazyMethod.knownCode($0, 0, $0.count) }
        return known != 0 ? SIPLazyMethod(known: known, text: .absent) : SIPLazyMethod(known: 0, text: stored(name))
    }

    /// `address` with its parts appended to `storage`.
    private mutating func stored(_ address: NameAddress) -> SIPLazyAddress {
        SIPLazyAddress(displayName: stored(address.displayName), uri: stored(address.uri), tag: stored(address.tag))
    }

    /// The request method, or `nil` for a response.
    public var method: String? {
        isRequest ? requestMethod.string(in: storage) : nil
    }

    /// The response status code, or `nil` for a request.
    public var statusCode: Int? {
        isRequest ? nil : responseStatus
    }

    /// The From tag, without reading the rest of the From header.
    var fromTag: String? { lazyFrom.tag.string(in: storage) }

    /// The To tag, without reading the rest of the To header.
    var toTag: String? { lazyTo.tag.string(in: storage) }

    /// Calls `body` with the Call-ID's bytes as the message holds them (not repaired when they are not
    /// UTF-8: ``callID`` is the string).
    func withCallIDBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard !lazyCallID.isAbsent else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        let range = Int(lazyCallID.start)..<Int(lazyCallID.end)
        return storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Two messages are equal when every field reads the same, however each is stored.
    public static func == (lhs: SIPMessage, rhs: SIPMessage) -> Bool {
        lhs.startLine == rhs.startLine && lhs.callID == rhs.callID && lhs.cseqNumber == rhs.cseqNumber
            && lhs.cseqMethod == rhs.cseqMethod && lhs.from == rhs.from && lhs.to == rhs.to
            && lhs.topViaBranch == rhs.topViaBranch && lhs.contact == rhs.contact
            && lhs.pAssertedIdentities == rhs.pAssertedIdentities && lhs.remotePartyID == rhs.remotePartyID
            && lhs.diversions == rhs.diversions && lhs.historyInfo == rhs.historyInfo && lhs.referTo == rhs.referTo
            && lhs.referredBy == rhs.referredBy && lhs.replaces == rhs.replaces && lhs.reasons == rhs.reasons
            && lhs.contentType == rhs.contentType && lhs.sdpDirection == rhs.sdpDirection
    }
}

/// A SIP name-addr or addr-spec: `"Anna" <sip:0401234567@pbx>;tag=abc`.
public struct NameAddress: Sendable, Equatable, Hashable {
    /// The display name without quotes, when there is one.
    public var displayName: String?
    /// The URI as written, without angle brackets, e.g. `sip:0401234567@pbx;user=phone`.
    public var uri: String
    /// The `tag` header parameter.
    public var tag: String?

    /// Creates a name-addr.
    public init(displayName: String? = nil, uri: String, tag: String? = nil) {
        self.displayName = displayName
        self.uri = uri
        self.tag = tag
    }

    /// The URI's user part: `0401234567` of `sip:0401234567@pbx;user=phone`, the number of a `tel:` URI.
    public var user: String? {
        if let user = Self.asciiUser(of: uri) { return user }
        var rest = Substring(uri)
        if let colon = rest.firstIndex(of: ":") {
            let scheme = rest[..<colon].lowercased()
            guard scheme == "sip" || scheme == "sips" || scheme == "tel" else { return nil }
            rest = rest[rest.index(after: colon)...]
            if scheme == "tel" {
                return String(rest.prefix { $0 != ";" })
            }
        }
        guard let at = rest.firstIndex(of: "@") else { return nil }
        let user = rest[..<at].prefix { $0 != ";" && $0 != ":" }
        return user.isEmpty ? nil : String(user)
    }

    /// ``user`` of an ASCII URI, read byte by byte (the call tracker asks for it often); `.some(nil)` when
    /// such a URI has no user part, `nil` when the URI is not ASCII and needs the general reading.
    private static func asciiUser(of uri: String) -> String?? {
        var uri = uri
        return uri.withUTF8 { asciiUser(in: $0) }
    }

    /// ``user`` of the URI whose bytes these are, when they are ASCII (see ``asciiUser(of:)``): the call
    /// tracker reads a URI's user from the message's bytes without making a string of the URI.
    static func asciiUser(in bytes: UnsafeBufferPointer<UInt8>) -> String?? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var rest = bytes[...]
        if let colon = rest.firstIndex(of: UInt8(ascii: ":")) {
            let scheme = rest[..<colon]
            let isTel = equalsIgnoringCase(scheme, "tel")
            guard isTel || equalsIgnoringCase(scheme, "sip") || equalsIgnoringCase(scheme, "sips") else {
                return .some(nil)
            }
            rest = rest[(colon + 1)...]
            if isTel {
                return .some(String(decoding: rest.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self))
            }
        }
        guard let at = rest.firstIndex(of: UInt8(ascii: "@")) else { return .some(nil) }
        let user = rest[..<at].prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: ":") }
        return .some(user.isEmpty ? nil : String(decoding: user, as: UTF8.self))
    }

    /// Whether ASCII `bytes` spell `word` (lower case) in any case.
    private static func equalsIgnoringCase(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in bytes {
            let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard lower == word.utf8Start[index] else { return false }
            index += 1
        }
        return true
    }
}

/// The dialog a Replaces header names (RFC 3891): attended transfer and call pickup.
public struct Replaces: Sendable, Equatable, Hashable {
    /// The Call-ID of the dialog to replace.
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

/// An SDP media direction attribute (RFC 4566): hold shows as sendonly or inactive.
public enum SDPDirection: String, Sendable, Equatable {
    case sendrecv, sendonly, recvonly, inactive
}
