import RinglogCapture
import RinglogCore

/// Fuzzes the HEP decoder: one input is one HEP datagram, or several back to back as in a TCP stream.
///
/// Decodes the input with and without a capture password (with zlib inflation, as the listener does), frames
/// it as a stream, and decodes every SIP payload it yields.
public enum HEPFuzzing {
    /// Runs one input.
    public static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        let bytes = Array(input)
        let inflate = ZlibInflater().closure
        for decoder in [HEPDecoder(inflate: inflate), HEPDecoder(authKey: "fuzz-key", inflate: inflate)] {
            if let packet = try? decoder.decode(bytes) {
                _ = try? SIPMessage(decoding: packet.payload)
            }
        }
        var packets = HEPPacketSequence(bytes).makeIterator()
        var framed = 0
        while let packet = packets.next() {
            framed += packet.count
            _ = try? HEPDecoder(inflate: inflate).decode(packet)
        }
        try require(framed == packets.offset && framed <= bytes.count, "framing went past the input: \(framed)")
    }
}
