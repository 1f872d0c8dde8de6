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
                    // "m=audio" in any case: seven bytes as a word, lower-cased.
                    inAudio =
                        lineEnd - index >= 7
                        && SIPMessageDecoder.asciiLowercased(SIPMessageDecoder.word(bytes, index, 7))
                            == 0x6f_6964_7561_3d6d
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
        guard valueEnd - start == 8 else { return nil }
        // The four attributes are eight letters each: one word, lower-cased, against each name's bytes.
        switch SIPMessageDecoder.asciiLowercased(SIPMessageDecoder.word(bytes, start, 8)) {
        case 0x7663_6572_646e_6573: return .sendrecv
        case 0x796c_6e6f_646e_6573: return .sendonly
        case 0x796c_6e6f_7663_6572: return .recvonly
        case 0x6576_6974_6361_6e69: return .inactive
        default: return nil
        }
    }
}
