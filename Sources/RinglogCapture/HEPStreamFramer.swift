import RinglogCore

/// Splits a TCP byte stream of back-to-back HEP packets into single packets.
enum HEPStreamFramer {
    /// The length of the HEP packet at the start of `buffer`, or `nil` when its header is incomplete.
    ///
    /// Asks ``HEPDecoder/packetLength(startingWith:)`` first; when it has no answer, reads the HEPv3
    /// total length (bytes 4-5, big-endian) itself. A returned length below 6 means the stream is
    /// not HEP (or is corrupt) and must be dropped.
    static func packetLength(startingWith buffer: ArraySlice<UInt8>) -> Int? {
        // A zero-based copy of the header: the decoder need not cope with slice indices.
        if let length = HEPDecoder.packetLength(startingWith: Array(buffer.prefix(64))) { return length }
        guard buffer.count >= 6 else { return nil }
        guard isHEP3Magic(buffer) else { return 0 }
        return Int(buffer.uint16(at: 4) ?? 0)
    }

    /// Whether `bytes` starts with the HEPv3 magic `HEP3` (or `EEP3`, which the spec also allows).
    static func isHEP3Magic(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.starts(withASCII: "HEP3") || bytes.starts(withASCII: "EEP3")
    }

    /// Whether `bytes` may be a HEP packet: the v3 magic, or a plausible v1/v2 header
    /// (version 1 or 2, address family 2 or 10, protocol UDP/TCP/SCTP).
    static func mayBeHEP(_ bytes: ArraySlice<UInt8>) -> Bool {
        if isHEP3Magic(bytes) { return true }
        guard let version = bytes.byte(at: 0), version == 1 || version == 2,
            let headerLength = bytes.byte(at: 1), headerLength >= 16, Int(headerLength) <= bytes.count,
            let family = bytes.byte(at: 2), family == 2 || family == 10,
            let protocolNumber = bytes.byte(at: 3)
        else { return false }
        return protocolNumber == 17 || protocolNumber == 6 || protocolNumber == 132
    }
}
