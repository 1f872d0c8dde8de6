import Foundation
import RinglogTestSupport

/// The datagrams `DaemonFloodTests` throws at the HEP port, built once and patched per send: an INVITE that
/// never ends (its own Call-ID, a 200-byte display name and a 1 KiB SDP body, as `ringlog-bench flood`), the
/// same with a wrong capture password, a pool of random garbage, a datagram of the largest size UDP carries and
/// an INVITE with a 60 KB header.
struct FloodDatagrams: Sendable {
    /// Digits of the flood index in the INVITEs (Call-ID, branch, tag, caller number).
    static let indexDigits = 7
    private static let placeholder = [UInt8](repeating: UInt8(ascii: "#"), count: indexDigits)

    /// The INVITE with the right capture password; ``patched(_:index:seconds:)`` makes each one unique.
    let invite: [UInt8]
    /// The same INVITE with a wrong capture password of the same length.
    let wrongPassword: [UInt8]
    /// Where the index's digits go in both INVITEs.
    let indexOffsets: [Int]
    /// Where the capture time's seconds (big-endian) go in both INVITEs.
    let secondsOffset: Int
    /// Random bytes, half of them behind a HEP header, and HEP headers whose chunks claim more than they hold.
    let garbage: [[UInt8]]
    /// 65,507 bytes (the largest UDP payload over IPv4) that start like HEP.
    let oversized: [UInt8]
    /// A well-formed HEP packet (right password) carrying an INVITE with a 60 KB header.
    let hugeHeader: [UInt8]

    init(authKey: String, wrongKey: String, seed: UInt64) {
        precondition(authKey.utf8.count == wrongKey.utf8.count, "the keys must be as long, so the offsets match")
        let digits = String(decoding: Self.placeholder, as: UTF8.self)
        let sdp = "v=0\r\n" + String(repeating: "a=x-padding:0123456789abcdef0123456789abcdef\r\n", count: 22)
        let sip =
            "INVITE sip:100@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK\(digits)\r\n"
            + "From: \"\(String(repeating: "A", count: 200))\" <sip:+35840\(digits)@evil>;tag=f\(digits)\r\n"
            + "To: <sip:100@pbx>\r\nCall-ID: flood-\(digits)@evil\r\nCSeq: 1 INVITE\r\n"
            + "Content-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n\(sdp)"
        let attacker = (address: [UInt8]([198, 51, 100, 7]), port: UInt16(5060))
        let plain = SyntheticCalls.hep(sip, from: attacker, to: SyntheticCalls.pbx, seconds: 0, microseconds: 0)
        invite = Self.withAuthKey(plain, authKey)
        wrongPassword = Self.withAuthKey(plain, wrongKey)
        indexOffsets = Self.offsets(of: Self.placeholder, in: invite)
        secondsOffset = Self.valueOffset(ofChunk: 9, in: invite) ?? 0

        var generator = SplitMix64(seed: seed)
        var pool: [[UInt8]] = []
        for index in 0..<512 {
            var bytes = (0..<Int.random(in: 1...1400, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            if index % 4 == 0 {
                // A HEP header whose chunk claims more than the datagram holds.
                bytes = Array("HEP3".utf8) + SyntheticCalls.be16(200) + [0, 0, 0, 15, 0xea, 0x60] + bytes.prefix(40)
            } else if index % 2 == 0 {
                bytes = Array("HEP3".utf8) + SyntheticCalls.be16(UInt16(bytes.count + 6)) + bytes
            }
            pool.append(bytes)
        }
        garbage = pool
        let largest = 65_507
        oversized =
            Array("HEP3".utf8) + SyntheticCalls.be16(UInt16(largest))
            + [UInt8](repeating: 0xA5, count: largest - 6)
        let filler = String(repeating: "x", count: 60_000)
        let huge =
            "INVITE sip:100@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKhuge\r\n"
            + "From: <sip:+358401@evil>;tag=huge\r\nTo: <sip:100@pbx>\r\nCall-ID: huge-header@evil\r\n"
            + "CSeq: 1 INVITE\r\nX-Filler: \(filler)\r\nContent-Length: 0\r\n\r\n"
        hugeHeader = Self.withAuthKey(
            SyntheticCalls.hep(huge, from: attacker, to: SyntheticCalls.pbx, seconds: 0, microseconds: 0), authKey)
    }

    /// Writes `index` (zero-padded) and `seconds` into `datagram`, a copy of ``invite`` or ``wrongPassword``.
    func patch(_ datagram: inout [UInt8], index: Int, seconds: UInt32) {
        datagram.withUnsafeMutableBufferPointer { bytes in
            for offset in indexOffsets {
                var value = index
                for position in stride(from: Self.indexDigits - 1, through: 0, by: -1) {
                    bytes[offset + position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            bytes[secondsOffset] = UInt8(truncatingIfNeeded: seconds >> 24)
            bytes[secondsOffset + 1] = UInt8(truncatingIfNeeded: seconds >> 16)
            bytes[secondsOffset + 2] = UInt8(truncatingIfNeeded: seconds >> 8)
            bytes[secondsOffset + 3] = UInt8(truncatingIfNeeded: seconds)
        }
    }

    /// `packet` with a capture password chunk (0x000e) appended and its total length fixed.
    static func withAuthKey(_ packet: [UInt8], _ key: String) -> [UInt8] {
        var packet = packet + SyntheticCalls.be16(0) + SyntheticCalls.be16(0x000e)
        packet += SyntheticCalls.be16(UInt16(key.utf8.count + 6)) + Array(key.utf8)
        packet.replaceSubrange(4..<6, with: SyntheticCalls.be16(UInt16(packet.count)))
        return packet
    }

    /// Every start of `pattern` in `bytes`.
    static func offsets(of pattern: [UInt8], in bytes: [UInt8]) -> [Int] {
        guard bytes.count >= pattern.count else { return [] }
        return (0...(bytes.count - pattern.count)).filter { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }

    /// Where the value of the first chunk of `type` starts in the HEP v3 `packet`.
    static func valueOffset(ofChunk type: UInt16, in packet: [UInt8]) -> Int? {
        var offset = 6
        while offset + 6 <= packet.count {
            let chunkType = UInt16(packet[offset + 2]) << 8 | UInt16(packet[offset + 3])
            let length = Int(packet[offset + 4]) << 8 | Int(packet[offset + 5])
            if chunkType == type { return offset + 6 }
            guard length >= 6 else { return nil }
            offset += length
        }
        return nil
    }
}
