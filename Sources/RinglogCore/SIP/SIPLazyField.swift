/// A text field of a decoded ``SIPMessage``: a byte range of the message that becomes a `String` only when
/// it is read, or a `String` given by whoever built or changed the message.
///
/// The call tracker reads most fields of an INVITE and few of any other message (its Call-ID, CSeq and
/// tags); making every field a `String` while decoding cost an allocation and a release for each long one.
enum SIPLazyText: Sendable {
    case absent
    /// `start..<end` of the message's bytes.
    case bytes(start: Int32, end: Int32)
    case text(String)

    init(_ text: String?) {
        self = text.map { .text($0) } ?? .absent
    }

    /// The text, read from `storage` (the message's bytes) when it is a range.
    @inline(__always) func string(in storage: [UInt8]) -> String? {
        switch self {
        case .absent: return nil
        case .text(let text): return text
        case .bytes(let start, let end):
            return storage.withUnsafeBufferPointer {
                SIPMessageDecoder.makeString($0, Int(start), Int(end))
            }
        }
    }

    /// The same text with ranges made into strings: for values parsed out of a temporary buffer.
    func resolved(in bytes: UnsafeBufferPointer<UInt8>) -> SIPLazyText {
        guard case .bytes(let start, let end) = self else { return self }
        return .text(SIPMessageDecoder.makeString(bytes, Int(start), Int(end)))
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

    init(_ address: NameAddress) {
        displayName = SIPLazyText(address.displayName)
        uri = .text(address.uri)
        tag = SIPLazyText(address.tag)
    }

    func address(in storage: [UInt8]) -> NameAddress {
        NameAddress(
            displayName: displayName.string(in: storage), uri: uri.string(in: storage) ?? "",
            tag: tag.string(in: storage))
    }

    /// The same address with its ranges made into strings: for values parsed out of a temporary buffer.
    func resolved(in bytes: UnsafeBufferPointer<UInt8>) -> SIPLazyAddress {
        SIPLazyAddress(
            displayName: displayName.resolved(in: bytes), uri: uri.resolved(in: bytes), tag: tag.resolved(in: bytes))
    }

    /// The address as a value, reading `bytes` (the buffer the ranges point into).
    func materialized(in bytes: UnsafeBufferPointer<UInt8>) -> NameAddress {
        func string(_ text: SIPLazyText) -> String? {
            switch text {
            case .absent: return nil
            case .text(let text): return text
            case .bytes(let start, let end): return SIPMessageDecoder.makeString(bytes, Int(start), Int(end))
            }
        }
        return NameAddress(displayName: string(displayName), uri: string(uri) ?? "", tag: string(tag))
    }
}
