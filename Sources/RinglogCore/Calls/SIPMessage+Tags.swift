extension SIPMessage {
    /// Whether the From tag equals `tag` as a `String` (both absent: equal), without making a string of it
    /// when both are ASCII (the call tracker asks for every response).
    func fromTagEquals(_ tag: String?) -> Bool {
        Self.equals(lazyFrom.tag, in: storage, tag)
    }

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
