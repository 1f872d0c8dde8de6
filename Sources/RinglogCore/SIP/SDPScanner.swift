/// Finds the media direction in an SDP body (RFC 4566) without building strings.
enum SDPScanner {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The direction attribute of the first audio stream, else of the session level, else `sendrecv` (the
    /// RFC 4566 default); `inactive` when there is no attribute and the connection address is `0.0.0.0`
    /// (the old RFC 2543 way to put a call on hold). `nil` when the body has no SDP lines at all.
    static func direction(_ bytes: Bytes, _ start: Int, _ end: Int) -> SDPDirection? {
        var sessionDirection: SDPDirection?
        var audioDirection: SDPDirection?
        var seenMedia = false
        var inAudio = false
        var seenAudio = false
        var sawSDPLine = false
        var holdAddress = false
        var index = start
        while index < end {
            let lineStop = SIPMessageDecoder.find(SIPMessageDecoder.lf, bytes, index, end) ?? end
            let lineEnd = SIPMessageDecoder.trimCR(bytes, index, lineStop)
            if lineEnd - index >= 2 && bytes[index + 1] == UInt8(ascii: "=") {
                sawSDPLine = true
                switch bytes[index] {
                case UInt8(ascii: "m"):
                    if seenAudio { return audioDirection ?? sessionDirection ?? (holdAddress ? .inactive : .sendrecv) }
                    seenMedia = true
                    inAudio = SIPMessageDecoder.hasPrefixIgnoringCase(bytes, index, lineEnd, "m=audio")
                    seenAudio = inAudio
                case UInt8(ascii: "a"):
                    if let direction = attributeDirection(bytes, index + 2, lineEnd) {
                        if !seenMedia {
                            sessionDirection = direction
                        } else if inAudio {
                            audioDirection = direction
                        }
                    }
                case UInt8(ascii: "c"):
                    if (!seenMedia || inAudio)
                        && SIPMessageDecoder.equalsIgnoringCase(bytes, index, lineEnd, "c=in ip4 0.0.0.0")
                    {
                        holdAddress = true
                    }
                default:
                    break
                }
            }
            index = lineStop + 1
        }
        guard sawSDPLine else { return nil }
        return audioDirection ?? sessionDirection ?? (holdAddress ? .inactive : .sendrecv)
    }

    private static func attributeDirection(_ bytes: Bytes, _ start: Int, _ end: Int) -> SDPDirection? {
        let valueEnd = SIPMessageDecoder.trimTrailingSpace(bytes, start, end)
        if SIPMessageDecoder.equalsIgnoringCase(bytes, start, valueEnd, "sendrecv") { return .sendrecv }
        if SIPMessageDecoder.equalsIgnoringCase(bytes, start, valueEnd, "sendonly") { return .sendonly }
        if SIPMessageDecoder.equalsIgnoringCase(bytes, start, valueEnd, "recvonly") { return .recvonly }
        if SIPMessageDecoder.equalsIgnoringCase(bytes, start, valueEnd, "inactive") { return .inactive }
        return nil
    }
}
