import Testing

@testable import RinglogCapture

/// ``SIPStartLine/isSIPDatagram(_:)`` reads the usual start lines a word at a time; it must answer exactly as
/// the general ``SIPStartLine/isSIPMessage(_:)-(UnsafeRawBufferPointer)`` does, for every input.
@Suite struct SIPStartLineTests {
    static let lines: [String] = [
        "SIP/2.0 200 OK\r\n", "SIP/2.0 180 Ringing\n", "SIP/2.0 100 \r\n", "SIP/2.0 4x0 Bad\r\n",
        "INVITE sip:bob@example.com SIP/2.0\r\n", "ACK sip:bob@10.0.0.1:5060;transport=udp SIP/2.0\r\n",
        "BYE sip:a SIP/2.0\n", "CANCEL sip:alice@example.org SIP/2.0\r\n", "OPTIONS sip:x SIP/2.0\r\n",
        "REGISTER sip:example.com SIP/2.0\r\n", "NEW-METHOD sip:x SIP/2.0\r\n", "INVITE sips:bob@b SIP/2.0\r\n",
        "INVITE tel:+15551234 SIP/2.0\r\n", "INVITE sip:bob SIP/2.1\r\n", "INVITE sip:bob  SIP/2.0\r\n",
        "INVITE sip:bo\tb SIP/2.0\r\n", "INVITE sip:bob SIP/2.0 \r\n", "invite sip:bob SIP/2.0\r\n",
        "A sip:b SIP/2.0\r\n", "INVITE sip: SIP/2.0\r\n",
        "INVITE sip:" + String(repeating: "x", count: 4070)
            + " SIP/2.0\r\n", "INVITE sip:" + String(repeating: "y", count: 4100) + " SIP/2.0\r\n",
    ]

    /// Both answers for `bytes`, compared.
    static func expectSameAnswer(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            #expect(SIPStartLine.isSIPDatagram(raw) == SIPStartLine.isSIPMessage(raw), "\(Array(bytes.prefix(64)))")
        }
    }

    @Test func usualLinesGiveTheGeneralAnswer() {
        for line in Self.lines {
            let bytes = Array((line + "Via: SIP/2.0/UDP h\r\n\r\n").utf8)
            Self.expectSameAnswer(bytes)
            // Cut short at every length, so each word read meets the end of the buffer.
            for length in 0..<min(bytes.count, 80) { Self.expectSameAnswer(Array(bytes[..<length])) }
            for length in max(0, bytes.count - 40)..<bytes.count { Self.expectSameAnswer(Array(bytes[..<length])) }
        }
        let accepted = ["SIP/2.0 200 OK\r\n\r\n", "INVITE sip:bob@example.com SIP/2.0\r\n\r\n"]
        for line in accepted {
            Array(line.utf8).withUnsafeBytes { #expect(SIPStartLine.isSIPDatagram($0)) }
        }
    }

    @Test func mutatedLinesGiveTheGeneralAnswer() {
        var random = SplitMix64(seed: 21)
        let values: [UInt8] = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x2d, 0x3a, 0x41, 0x5f, 0x61, 0x7e, 0x7f, 0x80, 0xff]
        for line in Self.lines where line.utf8.count < 200 {
            let bytes = Array((line + "\r\n").utf8)
            // Every byte of the start line set to each telling value.
            for offset in 0..<bytes.count {
                for value in values {
                    var changed = bytes
                    changed[offset] = value
                    Self.expectSameAnswer(changed)
                }
            }
            // A few random bytes changed at once, at random lengths.
            for _ in 0..<200 {
                var changed = bytes
                for _ in 0..<3 {
                    changed[Int(random.next() % UInt64(changed.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                Self.expectSameAnswer(Array(changed[..<Int(random.next() % UInt64(changed.count + 1))]))
            }
        }
    }
}
