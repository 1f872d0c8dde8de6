import Foundation
import RinglogCapture
import RinglogCore
import Testing

/// Truncated, garbled and oversized raw HEP input through the whole replay path (HEP framing, HEP decoder
/// with zlib, SIP decoder, call tracker) never traps, and oversized content is refused. (A zlib bomb is
/// refused by `ZlibInflater`, see its tests.)
@Suite("Raw HEP files under hostile input")
struct RawHEPRobustnessTests {
    static let files = ["lab/ring_group.hep", "lab/blind_transfer.hep", "hep-raw/inbound_answered-compressed.hep"]

    /// Replays raw HEP bytes the way `ringlog replay` does; returns the number of records.
    static func replay(_ bytes: [UInt8]) -> Int {
        let decoder = HEPDecoder(inflate: ZlibInflater().closure)
        var replay = CallReplay()
        var records = 0
        for datagram in HEPPacketSequence(bytes) {
            guard let packet = try? decoder.decode(datagram) else { continue }
            records += replay.add(packet).count
        }
        return records + replay.finish().count
    }

    @Test("a file cut at any of 200 points replays without trapping", arguments: files)
    func truncated(file: String) throws {
        let bytes = try [UInt8](contentsOfFile: LabFixtures.path(file))
        let whole = Self.replay(bytes)
        let step = max(1, bytes.count / 200)
        for length in stride(from: 0, to: bytes.count, by: step) {
            #expect(Self.replay(Array(bytes[..<length])) <= whole)
        }
    }

    @Test("bytes flipped at random replay without trapping", arguments: files)
    func garbled(file: String) throws {
        let bytes = try [UInt8](contentsOfFile: LabFixtures.path(file))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for _ in 0..<60 {
            var copy = bytes
            for _ in 0..<(1 + Int(next() % 40)) {
                copy[Int(next() % UInt64(copy.count))] = UInt8(truncatingIfNeeded: next())
            }
            let records = Self.replay(copy)
            #expect(records <= 64)
        }
    }

    @Test("a SIP message with a 60 KB header line and one over the size limit are handled, not trapped")
    func hugeHeaders() throws {
        let header = "X-Filler: " + String(repeating: "a", count: 60_000)
        let large = "INVITE sip:1001@127.0.0.1 SIP/2.0\r\nCall-ID: big\r\nCSeq: 1 INVITE\r\n\(header)\r\n\r\n"
        _ = try? SIPMessage(decoding: Array(large.utf8))
        let tooLarge = Array(repeating: UInt8(ascii: "a"), count: SIPMessage.maximumEncodedSize + 1)
        #expect(throws: SIPDecodingError.tooLarge(SIPMessage.maximumEncodedSize + 1)) {
            try SIPMessage(decoding: tooLarge)
        }
        // The largest HEP datagram the 16-bit length allows, all one payload chunk: decoded or refused.
        let datagram = Self.hepDatagram(chunks: [(0x000F, Array(large.utf8.prefix(65_000)))])
        _ = try? HEPDecoder().decode(datagram)
        #expect(HEPPacketSequence(datagram + datagram).map(\.count) == [datagram.count, datagram.count])
    }

    /// A HEP3 datagram with IPv4 UDP addresses, a time and the given extra chunks.
    static func hepDatagram(chunks extra: [(UInt16, [UInt8])]) -> [UInt8] {
        var chunks: [(UInt16, [UInt8])] = [
            (0x0001, [2]), (0x0002, [17]), (0x0003, [127, 0, 0, 1]), (0x0004, [127, 0, 0, 1]),
            (0x0007, [0x13, 0xC4]), (0x0008, [0x13, 0xC4]), (0x0009, [0x65, 0x00, 0x00, 0x00]),
            (0x000A, [0, 0, 0, 1]), (0x000B, [1]), (0x000C, [0, 0, 0, 1]),
        ]
        chunks += extra
        var body: [UInt8] = []
        for (type, value) in chunks {
            let length = 6 + value.count
            body += [0, 0, UInt8(type >> 8), UInt8(type & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            body += value
        }
        let total = min(6 + body.count, 65_535)
        return Array(([0x48, 0x45, 0x50, 0x33, UInt8(total >> 8), UInt8(total & 0xFF)] + body).prefix(total))
    }

}
