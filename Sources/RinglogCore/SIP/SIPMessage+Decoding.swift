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
    /// Decodes a SIP message from its bytes.
    /// - Throws: ``SIPDecodingError`` when the bytes are not a usable SIP message.
    public init(decoding bytes: some Collection<UInt8>) throws(SIPDecodingError) {
        throw .badStartLine
    }
}
