/// Builds link-layer frames and IP packets byte by byte for dissector tests (checksums left at 0:
/// ringlog does not verify them, as capture offload often leaves them wrong).
enum PacketBuilder {
    static func be16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
    static func be32(_ value: UInt32) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
        ]
    }

    static func ethernet(_ payload: [UInt8], etherType: Int = 0x0800, vlanTags: [(type: Int, id: Int)] = []) -> [UInt8]
    {
        var frame: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        for tag in vlanTags { frame += be16(tag.type) + be16(tag.id) }
        return frame + be16(etherType) + payload
    }

    static func ipv4(
        _ payload: [UInt8], protocolNumber: UInt8, source: [UInt8] = [10, 0, 0, 1],
        destination: [UInt8] = [10, 0, 0, 2],
        identification: Int = 1, fragmentOffset: Int = 0, moreFragments: Bool = false
    ) -> [UInt8] {
        let flags = (moreFragments ? 0x2000 : 0) | (fragmentOffset / 8)
        return [0x45, 0] + be16(20 + payload.count) + be16(identification) + be16(flags) + [64, protocolNumber, 0, 0]
            + source + destination + payload
    }

    static func udp(_ payload: [UInt8], sourcePort: Int, destinationPort: Int) -> [UInt8] {
        be16(sourcePort) + be16(destinationPort) + be16(8 + payload.count) + [0, 0] + payload
    }

    static func ipv4UDP(_ payload: [UInt8], sourcePort: Int, destinationPort: Int) -> [UInt8] {
        ipv4(udp(payload, sourcePort: sourcePort, destinationPort: destinationPort), protocolNumber: 17)
    }

    static func tcp(
        _ payload: [UInt8], sourcePort: Int = 40000, destinationPort: Int = 5060, sequence: UInt32, flags: UInt8 = 0x18
    ) -> [UInt8] {
        be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(0) + [0x50, flags] + be16(65535) + [
            0, 0, 0, 0,
        ]
            + payload
    }

    static func ipv6(_ payload: [UInt8], nextHeader: UInt8) -> [UInt8] {
        let source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
        let destination: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]
        return [0x60, 0, 0, 0] + be16(payload.count) + [nextHeader, 64] + source + destination + payload
    }

    static func sipRequest(callID: String, body: String = "") -> [UInt8] {
        Array(
            ("INVITE sip:1001@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-\(callID)\r\n"
                + "Call-ID: \(callID)\r\nCSeq: 1 INVITE\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)").utf8)
    }
}
