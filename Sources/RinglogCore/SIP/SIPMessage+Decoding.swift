/// Why a byte buffer is not a SIP message ringlog can use.
public enum SIPDecodingError: Error, Equatable, Sendable {
    /// The buffer is empty or its start line is neither a request nor a status line.
    case badStartLine
    /// A header that every dialog message has (Call-ID, CSeq, From, To) is missing or unreadable.
    case missingHeader(String)
    /// The message is larger than the decoder accepts.
    case tooLarge(Int)
}

extension SIPMessage {
    /// The largest message the decoder accepts, in bytes (64 KiB: the largest UDP datagram is smaller).
    public static let maximumEncodedSize = 65_536

    /// Decodes a SIP message from its bytes.
    ///
    /// The decoder works on the UTF-8 bytes; the message keeps them (as an array) and makes a field's string
    /// only when the field is read (the overload for an array shares it instead of copying it). It accepts
    /// compact header names, any header-name case, repeated and comma-joined headers, folded header lines,
    /// bare LF line ends, a missing body and a Content-Length that disagrees with the bytes (the body then
    /// ends at the end of the buffer).
    /// - Throws: ``SIPDecodingError`` when the bytes are not a usable SIP message.
    public init(decoding bytes: some Collection<UInt8>) throws(SIPDecodingError) {
        try self.init(decoding: Array(bytes))
    }

    /// Decodes a SIP message from an array of its bytes, as the generic initialiser does.
    ///
    /// The message keeps `bytes` (the array is shared, not copied): the start line's URI or reason phrase,
    /// the Call-ID, From, To, top Via branch and Contact are read from them when asked for.
    /// - Throws: ``SIPDecodingError`` when the bytes are not a usable SIP message.
    public init(decoding bytes: [UInt8]) throws(SIPDecodingError) {
        // Decoded in place by a helper that returns the failure: a closure over `self` here, or a local
        // moved into `self`, made the compiler copy the whole message on its way out.
        self.init()
        if let failure = SIPMessageDecoder.decode(bytes, into: &self) { throw failure }
    }
}
