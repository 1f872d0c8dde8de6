/// Why a datagram is not a HEP packet ringlog accepts.
public enum HEPDecodingError: Error, Equatable, Sendable {
    /// Not HEP at all: no `HEP3`/`EEP3` (v3) or version 1/2 header.
    case notHEP
    /// The packet or one of its chunks is cut short or its lengths disagree.
    case malformed(String)
    /// A capture password (auth key) is configured and the packet's does not match, or it has none.
    case authenticationFailed
    /// The payload is compressed and could not be inflated.
    case decompressionFailed
    /// The packet carries no SIP payload (e.g. RTCP or a log chunk).
    case notSIP
}

/// Decodes HEP v2 and v3 packets into ``CapturedPacket`` values.
public struct HEPDecoder: Sendable {
    /// The capture password every packet must carry (chunk 0x000e), or `nil` to accept packets without one.
    public var authKey: String?
    /// Inflates a zlib-compressed payload; `nil` when no decompressor is available.
    public var inflate: (@Sendable ([UInt8]) -> [UInt8]?)?

    /// Creates a decoder.
    public init(authKey: String? = nil, inflate: (@Sendable ([UInt8]) -> [UInt8]?)? = nil) {
        self.authKey = authKey
        self.inflate = inflate
    }

    /// Decodes one HEP packet.
    public func decode(_ bytes: some Collection<UInt8>) throws(HEPDecodingError) -> CapturedPacket {
        throw .notHEP
    }

    /// The total length of the HEP packet that starts `bytes`, when enough of its header is there
    /// (v3: bytes 4-5; v2: the header length byte); used to split a TCP stream into packets.
    public static func packetLength(startingWith bytes: some Collection<UInt8>) -> Int? {
        nil
    }
}
