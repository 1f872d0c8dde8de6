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

    /// The decoded message's bytes, which the fields below that are byte ranges point into; empty for a
    /// message made from parts. Held, not copied: the packet's payload array is shared.
    var storage: [UInt8] = []
    var lazyStartLine: LazyStartLine
    var lazyCallID: SIPLazyText
    var lazyFrom: SIPLazyAddress
    var lazyTo: SIPLazyAddress
    var lazyTopViaBranch: SIPLazyText = .absent
    var lazyContact: SIPLazyAddress?

    /// The start line.
    public var startLine: StartLine {
        get {
            switch lazyStartLine {
            case .request(let method, let uri): .request(method: method, uri: uri.string(in: storage) ?? "")
            case .response(let status, let reason): .response(status: status, reason: reason.string(in: storage) ?? "")
            }
        }
        set {
            switch newValue {
            case .request(let method, let uri): lazyStartLine = .request(method: method, uri: .text(uri))
            case .response(let status, let reason): lazyStartLine = .response(status: status, reason: .text(reason))
            }
        }
    }
    /// The Call-ID header (compact form `i`).
    public var callID: String {
        get { lazyCallID.string(in: storage) ?? "" }
        set { lazyCallID = .text(newValue) }
    }
    /// The CSeq sequence number.
    public var cseqNumber: UInt32
    /// The CSeq method, upper case as written.
    public var cseqMethod: String
    /// The From header (compact `f`), with its tag.
    public var from: NameAddress {
        get { lazyFrom.address(in: storage) }
        set { lazyFrom = SIPLazyAddress(newValue) }
    }
    /// The To header (compact `t`), with its tag once the dialog has one.
    public var to: NameAddress {
        get { lazyTo.address(in: storage) }
        set { lazyTo = SIPLazyAddress(newValue) }
    }
    /// The branch parameter of the topmost Via header (compact `v`).
    public var topViaBranch: String? {
        get { lazyTopViaBranch.string(in: storage) }
        set { lazyTopViaBranch = SIPLazyText(newValue) }
    }
    /// The first Contact header (compact `m`).
    public var contact: NameAddress? {
        get { lazyContact?.address(in: storage) }
        set { lazyContact = newValue.map(SIPLazyAddress.init) }
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
    public var contentType: String?
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
        switch startLine {
        case .request(let method, let uri): lazyStartLine = .request(method: method, uri: .text(uri))
        case .response(let status, let reason): lazyStartLine = .response(status: status, reason: .text(reason))
        }
        lazyCallID = .text(callID)
        self.cseqNumber = cseqNumber
        self.cseqMethod = cseqMethod
        lazyFrom = SIPLazyAddress(from)
        lazyTo = SIPLazyAddress(to)
        lazyTopViaBranch = SIPLazyText(topViaBranch)
        lazyContact = contact.map(SIPLazyAddress.init)
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

    /// The decoder's start: the start line read, every other field empty, ranges pointing into `storage`.
    init(decodedStartLine: LazyStartLine) {
        lazyStartLine = decodedStartLine
        lazyCallID = .absent
        cseqNumber = 0
        cseqMethod = ""
        lazyFrom = SIPLazyAddress(displayName: .absent, uri: .text(""), tag: .absent)
        lazyTo = lazyFrom
    }

    /// The request method, or `nil` for a response.
    public var method: String? {
        if case .request(let method, _) = lazyStartLine { return method }
        return nil
    }

    /// The response status code, or `nil` for a request.
    public var statusCode: Int? {
        if case .response(let status, _) = lazyStartLine { return status }
        return nil
    }

    /// The From tag, without reading the rest of the From header.
    var fromTag: String? { lazyFrom.tag.string(in: storage) }

    /// The To tag, without reading the rest of the To header.
    var toTag: String? { lazyTo.tag.string(in: storage) }

    /// Calls `body` with the Call-ID's bytes as the message holds them (not repaired when they are not
    /// UTF-8: ``callID`` is the string).
    func withCallIDBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        switch lazyCallID {
        case .bytes(let start, let end):
            return storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(start)..<Int(end)])) }
        case .text(var text):
            return text.withUTF8(body)
        case .absent:
            return body(UnsafeBufferPointer(start: nil, count: 0))
        }
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
        return uri.withUTF8 { bytes -> String?? in
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
