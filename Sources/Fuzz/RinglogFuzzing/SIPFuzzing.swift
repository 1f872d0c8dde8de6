import RinglogCore

/// Fuzzes the SIP decoder: one input is one SIP message as it would arrive in a datagram.
///
/// Checks what every decoded message promises: at most ``SIPMessage/maximumEncodedSize`` bytes, a three-digit
/// status code for a response, and the same message when decoded again from a copy of the bytes.
public enum SIPFuzzing {
    /// Runs one input.
    public static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        guard let message = try? SIPMessage(decoding: input) else { return }
        try require(input.count <= SIPMessage.maximumEncodedSize, "a \(input.count)-byte message was decoded")
        if let status = message.statusCode {
            try require((100...999).contains(status), "status code \(status) is not three digits")
        }
        try require((try? SIPMessage(decoding: Array(input))) == message, "decoding a copy gives another message")
        _ = [message.from, message.to].map(\.user)
    }
}
