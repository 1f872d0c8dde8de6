/// What the call tracker reads of a message straight from its bytes: no string of a whole header is made.
extension SIPMessage {
    /// The user part of the From URI, as ``NameAddress/user`` of ``from`` reads it.
    var fromUser: String? { Self.user(of: lazyFrom.uri, in: storage) }

    /// The user part of the To URI, as ``NameAddress/user`` of ``to`` reads it.
    var toUser: String? { Self.user(of: lazyTo.uri, in: storage) }

    /// A request's Request-URI user (`.some(nil)` when it has none); `nil` for a response.
    var requestURIUser: String?? { isRequest ? .some(Self.user(of: startLineText, in: storage)) : nil }

    /// The user of the URI in `text` (absent: an empty URI, which has none).
    private static func user(of text: SIPLazyText, in storage: [UInt8]) -> String? {
        guard !text.isAbsent else { return nil }
        let ascii = storage.withUnsafeBufferPointer { bytes in
            NameAddress.asciiUser(in: UnsafeBufferPointer(rebasing: bytes[Int(text.start)..<Int(text.end)]))
        }
        if let ascii { return ascii }
        return NameAddress(uri: text.string(in: storage) ?? "").user
    }

    /// Whether the From tag equals `tag` as a `String` (both absent: equal), without making a string of it
    /// when both are ASCII (the call tracker asks for every response).
    func fromTagEquals(_ tag: String?) -> Bool {
        Self.equals(lazyFrom.tag, in: storage, tag)
    }

    /// Whether the CSeq's method is INVITE (``cseqMethod`` `== "INVITE"`), read from its number: every message
    /// stores INVITE as the usual method 1, however it was made.
    var cseqMethodIsInvite: Bool { lazyCSeqMethod.known == 1 }

    /// Whether the message has a To tag (an in-dialog request, or a response from the far end).
    var hasToTag: Bool { !lazyTo.tag.isAbsent }

    /// Whether `text` of `storage` reads as `string`. ASCII bytes are the string's own; other bytes are
    /// compared as strings (canonical equivalence, repaired UTF-8), as `==` on the decoded field would.
    private static func equals(_ text: SIPLazyText, in storage: [UInt8], _ string: String?) -> Bool {
        guard var string else { return text.isAbsent }
        guard !text.isAbsent else { return false }
        let asciiMatch = storage.withUnsafeBufferPointer { bytes -> Bool? in
            let field = UnsafeBufferPointer(rebasing: bytes[Int(text.start)..<Int(text.end)])
            guard ASCIICallIDIndex.isASCII(field) else { return nil }
            return string.withUTF8 { own in
                ASCIICallIDIndex.isASCII(own) ? ASCIICallIDIndex.equal(own, field) : nil
            }
        }
        if let asciiMatch { return asciiMatch }
        return text.string(in: storage) == string
    }
}
