/// A text field of a decoded ``SIPMessage``: a byte range of the message's storage that becomes a `String`
/// only when it is read.
///
/// The call tracker reads most fields of an INVITE and few of any other message (its Call-ID, CSeq and
/// tags); making every field a `String` while decoding cost an allocation and a release for each long one.
/// A text given by whoever builds or changes a message is appended to its storage, so a field is always a
/// plain pair of offsets: copying or destroying a message touches no reference count for its fields.
struct SIPLazyText: Sendable {
    /// `start..<end` of the message's storage; `start` is negative when the field is absent.
    var start: Int32
    var end: Int32

    /// No value (a `nil` string).
    static let absent = SIPLazyText(start: -1, end: -1)

    init(start: Int32, end: Int32) {
        self.start = start
        self.end = end
    }

    var isAbsent: Bool { start < 0 }

    /// Whether the field is absent or reads as the empty string.
    @inline(__always) var isEmpty: Bool { start >= end }

    /// The text, read from `storage` (the message's bytes).
    @inline(__always) func string(in storage: [UInt8]) -> String? {
        guard start >= 0 else { return nil }
        return storage.withUnsafeBufferPointer { string(in: $0) }
    }

    /// The text, read from `bytes` (the buffer the range points into).
    @inline(__always) func string(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard start >= 0 else { return nil }
        return SIPMessageDecoder.makeString(bytes, Int(start), Int(end))
    }
}

/// A method name of a decoded ``SIPMessage`` (the request's or the CSeq's): one of the usual ones by number
/// (read as a string literal: nothing is allocated or counted), any other as a range of the storage.
struct SIPLazyMethod: Sendable {
    /// The usual method's number (``name(ofKnown:)``), or 0 when the name is ``text``.
    var known: UInt8
    /// The name when it is not one of the usual ones.
    var text: SIPLazyText

    /// The empty name (a message made from parts before its CSeq is set).
    static let empty = SIPLazyMethod(known: 0, text: .absent)

    init(known: UInt8, text: SIPLazyText) {
        self.known = known
        self.text = text
    }

    /// The name, read from `storage` when it is not one of the usual ones.
    @inline(__always) func string(in storage: [UInt8]) -> String {
        known != 0 ? Self.name(ofKnown: known) : text.string(in: storage) ?? ""
    }

    /// The name of `start..<end` of `bytes` (exactly as written, case and all).
    static func decoding(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> SIPLazyMethod {
        let code = knownCode(bytes, start, end)
        return SIPLazyMethod(known: code, text: code != 0 ? .absent : SIPMessageDecoder.range(start, end))
    }

    /// The number of a usual method spelled by `start..<end` of `bytes`, else 0.
    static func knownCode(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt8 {
        let length = end - start
        guard length >= 3 && length <= 8 else { return 0 }
        // The name's bytes as a little-endian word; the constants are the names' ASCII bytes (tested).
        switch (length, SIPMessageDecoder.word(bytes, start, length)) {
        case (6, 0x4554_4956_4e49): return 1  // INVITE
        case (3, 0x4b_4341): return 2  // ACK
        case (3, 0x45_5942): return 3  // BYE
        case (6, 0x4c45_434e_4143): return 4  // CANCEL
        case (6, 0x4554_4144_5055): return 5  // UPDATE
        case (5, 0x4b_4341_5250): return 6  // PRACK
        case (6, 0x5946_4954_4f4e): return 7  // NOTIFY
        case (7, 0x53_4e4f_4954_504f): return 8  // OPTIONS
        case (5, 0x52_4546_4552): return 9  // REFER
        case (4, 0x4f46_4e49): return 10  // INFO
        case (7, 0x45_4741_5353_454d): return 11  // MESSAGE
        case (8, 0x5245_5453_4947_4552): return 12  // REGISTER
        case (7, 0x48_5349_4c42_5550): return 13  // PUBLISH
        default: return 0
        }
    }

    /// The usual method numbered `code` (1 to 13).
    static func name(ofKnown code: UInt8) -> String {
        switch code {
        case 1: "INVITE"
        case 2: "ACK"
        case 3: "BYE"
        case 4: "CANCEL"
        case 5: "UPDATE"
        case 6: "PRACK"
        case 7: "NOTIFY"
        case 8: "OPTIONS"
        case 9: "REFER"
        case 10: "INFO"
        case 11: "MESSAGE"
        case 12: "REGISTER"
        default: "PUBLISH"
        }
    }
}

/// A name-addr field of a decoded ``SIPMessage`` whose parts are read from the message's bytes on demand.
struct SIPLazyAddress: Sendable {
    var displayName: SIPLazyText
    var uri: SIPLazyText
    var tag: SIPLazyText

    init(displayName: SIPLazyText, uri: SIPLazyText, tag: SIPLazyText) {
        self.displayName = displayName
        self.uri = uri
        self.tag = tag
    }

    func address(in storage: [UInt8]) -> NameAddress {
        storage.withUnsafeBufferPointer { materialized(in: $0) }
    }

    /// The address as a value, reading `bytes` (the buffer the ranges point into).
    func materialized(in bytes: UnsafeBufferPointer<UInt8>) -> NameAddress {
        NameAddress(
            displayName: displayName.string(in: bytes), uri: uri.string(in: bytes) ?? "", tag: tag.string(in: bytes))
    }
}

/// The Content-Type media type of a decoded ``SIPMessage``.
enum SIPLazyContentType: Sendable {
    case absent
    /// `application/sdp`, in any case.
    case sdp
    /// Another type as written in the message: read in lower case.
    case decoded(SIPLazyText)
    /// A type given through ``SIPMessage/contentType``: read as given.
    case given(SIPLazyText)
}
