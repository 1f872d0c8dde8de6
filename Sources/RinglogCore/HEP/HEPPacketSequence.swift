/// The HEP v3 packets stored back to back in one buffer (a TCP stream, or a file of recorded datagrams).
///
/// Iteration stops at the first bytes that do not start a complete HEP v3 packet; ``remainder`` then tells
/// where (for a stream: the start of an incomplete packet to keep for the next read).
public struct HEPPacketSequence: Sequence, Sendable {
    /// The bytes holding the packets.
    public var bytes: [UInt8]

    /// Creates a sequence over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Iterates the packets, each as a slice of ``bytes``.
    public struct Iterator: IteratorProtocol {
        fileprivate let bytes: [UInt8]
        /// The offset of the next packet, or of the bytes that stopped the iteration.
        public private(set) var offset = 0

        /// The next complete packet, or `nil` at the end or at bytes that are not a complete HEP v3 packet.
        public mutating func next() -> ArraySlice<UInt8>? {
            let rest = bytes[offset...]
            guard let length = HEPDecoder.packetLength(startingWith: rest), length <= rest.count else { return nil }
            let packet = bytes[offset..<(offset + length)]
            offset += length
            return packet
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    /// Whether `bytes` starts with a HEP v3 magic (`HEP3` or `EEP3`): how a file of raw datagrams is recognised.
    public static func startsWithHEP3(_ bytes: some Collection<UInt8>) -> Bool {
        let head = Array(bytes.prefix(4))
        return head.count == 4 && HEPDecoder.isV3Magic(head[0], head[1], head[2], head[3])
    }
}
