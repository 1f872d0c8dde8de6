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
///
/// HEP v3 is a list of chunks (vendor, type, length, payload). The decoder reads the generic chunks it
/// needs (addresses, ports, time, protocol type, capture agent id, auth key, payload, compressed payload,
/// correlation id) and skips every other chunk, and every vendor chunk, by its length. HEP v2 is a fixed
/// header followed by the payload; its time and capture id fields are read little-endian first (what
/// Kamailio and sngrep write) and big-endian when that gives no valid time.
///
/// Capture times: the microseconds field must be below 1 000 000 (the packet is refused otherwise); the
/// seconds field is taken as sent (HEP carries it as an unsigned 32-bit number, so it ends in 2106).
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
    ///
    /// Bytes after the length a v3 packet declares are ignored.
    /// - Throws: ``HEPDecodingError`` saying why the bytes are not a usable SIP capture.
    public func decode(_ bytes: some Collection<UInt8>) throws(HEPDecodingError) -> CapturedPacket {
        let result =
            bytes.withContiguousStorageIfAvailable { decode(buffer: $0) }
            ?? Array(bytes).withUnsafeBufferPointer { decode(buffer: $0) }
        return try result.get()
    }

    /// The total length of the HEP v3 packet that starts `bytes`, once its first 6 bytes are there;
    /// used to split a TCP stream or a file of back-to-back datagrams into packets.
    ///
    /// Returns `nil` when fewer than 6 bytes are given, when the bytes do not start a HEP v3 packet, or when
    /// the declared length is below the 6-byte header. HEP v1/v2 carry no total length (their payload runs to
    /// the end of the datagram), so they cannot be framed in a stream and give `nil` too.
    public static func packetLength(startingWith bytes: some Collection<UInt8>) -> Int? {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer -> Int? in
            guard buffer.count >= 6, isV3Magic(buffer[0], buffer[1], buffer[2], buffer[3]) else { return nil }
            let length = Int(buffer[4]) << 8 | Int(buffer[5])
            return length >= 6 ? length : nil
        }
        if let contiguous { return contiguous }
        var iterator = bytes.makeIterator()
        var header: [UInt8] = []
        header.reserveCapacity(6)
        while header.count < 6, let byte = iterator.next() { header.append(byte) }
        guard header.count == 6, isV3Magic(header[0], header[1], header[2], header[3]) else { return nil }
        let length = Int(header[4]) << 8 | Int(header[5])
        return length >= 6 ? length : nil
    }

    /// Whether the first bytes of a datagram start a HEP v3 packet (`HEP3` or `EEP3`).
    static func isV3Magic(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) -> Bool {
        (b0 == UInt8(ascii: "H") || b0 == UInt8(ascii: "E")) && b1 == UInt8(ascii: "E")
            && b2 == UInt8(ascii: "P") && b3 == UInt8(ascii: "3")
    }

    private func decode(buffer: UnsafeBufferPointer<UInt8>) -> Result<CapturedPacket, HEPDecodingError> {
        guard buffer.count >= 4 else {
            return .failure(buffer.isEmpty ? .notHEP : .malformed("packet shorter than its header"))
        }
        if Self.isV3Magic(buffer[0], buffer[1], buffer[2], buffer[3]) {
            return decodeV3(buffer)
        }
        if buffer[0] == 1 || buffer[0] == 2 {
            return decodeV2(buffer)
        }
        return .failure(.notHEP)
    }
}

// MARK: - HEP v3

extension HEPDecoder {
    /// The generic chunk types ringlog reads (vendor 0x0000).
    private enum ChunkType {
        static let ipFamily: UInt16 = 0x0001
        static let ipProtocol: UInt16 = 0x0002
        static let ipv4Source: UInt16 = 0x0003
        static let ipv4Destination: UInt16 = 0x0004
        static let ipv6Source: UInt16 = 0x0005
        static let ipv6Destination: UInt16 = 0x0006
        static let sourcePort: UInt16 = 0x0007
        static let destinationPort: UInt16 = 0x0008
        static let seconds: UInt16 = 0x0009
        static let microseconds: UInt16 = 0x000a
        static let payloadType: UInt16 = 0x000b
        static let captureAgentID: UInt16 = 0x000c
        static let keepAliveTimer: UInt16 = 0x000d
        static let authKey: UInt16 = 0x000e
        static let payload: UInt16 = 0x000f
        static let compressedPayload: UInt16 = 0x0010
        static let correlationID: UInt16 = 0x0011
        static let vlanID: UInt16 = 0x0012
        static let captureAgentName: UInt16 = 0x0013
    }

    private func decodeV3(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<CapturedPacket, HEPDecodingError> {
        guard buffer.count >= 6 else { return .failure(.malformed("HEP3 header cut short")) }
        let total = Int(buffer[4]) << 8 | Int(buffer[5])
        guard total >= 6 else { return .failure(.malformed("HEP3 total length \(total) is below the 6-byte header")) }
        guard total <= buffer.count else {
            return .failure(.malformed("HEP3 packet declares \(total) bytes but only \(buffer.count) arrived"))
        }
        var family: UInt8?
        var ipProtocol: UInt8?
        var ipv4Source: Range<Int>?
        var ipv4Destination: Range<Int>?
        var ipv6Source: Range<Int>?
        var ipv6Destination: Range<Int>?
        var sourcePort: UInt16 = 0
        var destinationPort: UInt16 = 0
        var seconds: UInt32?
        var microseconds: UInt32 = 0
        var payloadType: UInt8?
        var captureAgentID: UInt32?
        var authKeyRange: Range<Int>?
        var payloadRange: Range<Int>?
        var payloadIsCompressed = false
        var correlationRange: Range<Int>?

        var offset = 6
        while offset < total {
            guard total - offset >= 6 else { return .failure(.malformed("chunk header cut short at byte \(offset)")) }
            let vendor = UInt16(buffer[offset]) << 8 | UInt16(buffer[offset + 1])
            let type = UInt16(buffer[offset + 2]) << 8 | UInt16(buffer[offset + 3])
            let length = Int(buffer[offset + 4]) << 8 | Int(buffer[offset + 5])
            guard length >= 6, length <= total - offset else {
                return .failure(.malformed("chunk \(type) at byte \(offset) has length \(length), outside the packet"))
            }
            let body = (offset + 6)..<(offset + length)
            offset += length
            guard vendor == 0 else { continue }
            switch type {
            case ChunkType.ipFamily:
                guard body.count == 1 else { return .failure(wrongLength("IP family", body.count)) }
                family = buffer[body.lowerBound]
            case ChunkType.ipProtocol:
                guard body.count == 1 else { return .failure(wrongLength("IP protocol", body.count)) }
                ipProtocol = buffer[body.lowerBound]
            case ChunkType.ipv4Source, ChunkType.ipv4Destination:
                guard body.count == 4 else { return .failure(wrongLength("IPv4 address", body.count)) }
                if type == ChunkType.ipv4Source { ipv4Source = body } else { ipv4Destination = body }
            case ChunkType.ipv6Source, ChunkType.ipv6Destination:
                guard body.count == 16 else { return .failure(wrongLength("IPv6 address", body.count)) }
                if type == ChunkType.ipv6Source { ipv6Source = body } else { ipv6Destination = body }
            case ChunkType.sourcePort, ChunkType.destinationPort:
                guard body.count == 2 else { return .failure(wrongLength("port", body.count)) }
                let port = UInt16(buffer[body.lowerBound]) << 8 | UInt16(buffer[body.lowerBound + 1])
                if type == ChunkType.sourcePort { sourcePort = port } else { destinationPort = port }
            case ChunkType.seconds:
                guard body.count == 4 else { return .failure(wrongLength("capture seconds", body.count)) }
                seconds = Self.bigEndian32(buffer, at: body.lowerBound)
            case ChunkType.microseconds:
                guard body.count == 4 else { return .failure(wrongLength("capture microseconds", body.count)) }
                microseconds = Self.bigEndian32(buffer, at: body.lowerBound)
            case ChunkType.payloadType:
                guard body.count == 1 else { return .failure(wrongLength("payload type", body.count)) }
                payloadType = buffer[body.lowerBound]
            case ChunkType.captureAgentID:
                // Most senders write 4 bytes; some old ones write 2.
                if body.count == 4 {
                    captureAgentID = Self.bigEndian32(buffer, at: body.lowerBound)
                } else if body.count == 2 {
                    captureAgentID = UInt32(buffer[body.lowerBound]) << 8 | UInt32(buffer[body.lowerBound + 1])
                } else {
                    return .failure(wrongLength("capture agent id", body.count))
                }
            case ChunkType.authKey:
                authKeyRange = body
            case ChunkType.payload:
                payloadRange = body
                payloadIsCompressed = false
            case ChunkType.compressedPayload:
                payloadRange = body
                payloadIsCompressed = true
            case ChunkType.correlationID:
                correlationRange = body
            default:
                // Keep-alive timer, VLAN, agent name, MACs, QoS, tags…: not needed; skipped by length.
                continue
            }
        }

        if let authKey {
            guard let range = authKeyRange, Self.bytes(buffer, range, equal: authKey) else {
                return .failure(.authenticationFailed)
            }
        }
        if let payloadType, payloadType != 1 { return .failure(.notSIP) }
        guard let payloadRange else { return .failure(.malformed("no payload chunk (0x000f or 0x0010)")) }
        guard let seconds else { return .failure(.malformed("no capture time chunk (0x0009)")) }
        guard microseconds < 1_000_000 else {
            return .failure(.malformed("capture microseconds \(microseconds) are not below 1000000"))
        }

        let source: String
        let destination: String
        let wantsIPv6 = family == 10 || family == 28 || family == 30 || (ipv4Source == nil && ipv6Source != nil)
        if wantsIPv6, let ipv6Source, let ipv6Destination {
            source = Self.ipv6Text(buffer, ipv6Source.lowerBound)
            destination = Self.ipv6Text(buffer, ipv6Destination.lowerBound)
        } else if let ipv4Source, let ipv4Destination {
            source = Self.ipv4Text(buffer, ipv4Source.lowerBound)
            destination = Self.ipv4Text(buffer, ipv4Destination.lowerBound)
        } else if let ipv6Source, let ipv6Destination {
            source = Self.ipv6Text(buffer, ipv6Source.lowerBound)
            destination = Self.ipv6Text(buffer, ipv6Destination.lowerBound)
        } else {
            return .failure(.malformed("no source and destination address chunks"))
        }

        var payload = Array(UnsafeBufferPointer(rebasing: buffer[payloadRange]))
        if payloadIsCompressed || Self.looksCompressed(payload) {
            guard let inflate, let inflated = inflate(payload) else { return .failure(.decompressionFailed) }
            payload = inflated
        }
        var correlationID: String?
        if let correlationRange, !correlationRange.isEmpty {
            correlationID = String(decoding: UnsafeBufferPointer(rebasing: buffer[correlationRange]), as: UTF8.self)
        }
        return .success(
            CapturedPacket(
                timestamp: CaptureTime(seconds: Int64(seconds), microseconds: Int64(microseconds)),
                source: TransportEndpoint(address: source, port: sourcePort),
                destination: TransportEndpoint(address: destination, port: destinationPort),
                transport: Self.transport(ipProtocol), payload: payload, correlationID: correlationID,
                captureAgentID: captureAgentID))
    }

    private func wrongLength(_ what: String, _ count: Int) -> HEPDecodingError {
        .malformed("\(what) chunk has \(count) bytes")
    }
}

// MARK: - HEP v1/v2

extension HEPDecoder {
    private func decodeV2(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<CapturedPacket, HEPDecodingError> {
        let version = buffer[0]
        guard buffer.count >= 8 else { return .failure(.malformed("HEP v\(version) header cut short")) }
        let family = buffer[2]
        let addressLength: Int
        switch family {
        case 2: addressLength = 4
        case 10, 28, 30: addressLength = 16
        default: return .failure(.malformed("HEP v\(version) address family \(family) is neither IPv4 nor IPv6"))
        }
        let addresses = 8
        let timeFields = addresses + 2 * addressLength
        guard version == 2 else {
            return .failure(.malformed("HEP v1 packets carry no capture time; configure the sender for HEP v3"))
        }
        let payloadStart = timeFields + 10
        guard buffer.count >= payloadStart else { return .failure(.malformed("HEP v2 header cut short")) }
        let sourcePort = UInt16(buffer[4]) << 8 | UInt16(buffer[5])
        let destinationPort = UInt16(buffer[6]) << 8 | UInt16(buffer[7])
        let source: String
        let destination: String
        if addressLength == 4 {
            source = Self.ipv4Text(buffer, addresses)
            destination = Self.ipv4Text(buffer, addresses + 4)
        } else {
            source = Self.ipv6Text(buffer, addresses)
            destination = Self.ipv6Text(buffer, addresses + 16)
        }
        // Senders disagree on the byte order of the time fields: prefer little-endian, check it makes sense.
        let littleSeconds = Self.littleEndian32(buffer, at: timeFields)
        let littleMicros = Self.littleEndian32(buffer, at: timeFields + 4)
        let bigSeconds = Self.bigEndian32(buffer, at: timeFields)
        let bigMicros = Self.bigEndian32(buffer, at: timeFields + 4)
        let seconds: UInt32
        let microseconds: UInt32
        let littleEndianTime: Bool
        if littleMicros < 1_000_000 && Self.isPlausible(seconds: littleSeconds) {
            (seconds, microseconds, littleEndianTime) = (littleSeconds, littleMicros, true)
        } else if bigMicros < 1_000_000 && Self.isPlausible(seconds: bigSeconds) {
            (seconds, microseconds, littleEndianTime) = (bigSeconds, bigMicros, false)
        } else {
            return .failure(.malformed("HEP v2 capture time is not valid in either byte order"))
        }
        let idLow = UInt32(buffer[timeFields + 8])
        let idHigh = UInt32(buffer[timeFields + 9])
        let captureID = littleEndianTime ? idHigh << 8 | idLow : idLow << 8 | idHigh
        var payload = Array(UnsafeBufferPointer(rebasing: buffer[payloadStart...]))
        guard !payload.isEmpty else { return .failure(.malformed("HEP v2 packet has no payload")) }
        if Self.looksCompressed(payload) {
            guard let inflate, let inflated = inflate(payload) else { return .failure(.decompressionFailed) }
            payload = inflated
        }
        return .success(
            CapturedPacket(
                timestamp: CaptureTime(seconds: Int64(seconds), microseconds: Int64(microseconds)),
                source: TransportEndpoint(address: source, port: sourcePort),
                destination: TransportEndpoint(address: destination, port: destinationPort),
                transport: Self.transport(buffer[3]), payload: payload, captureAgentID: captureID))
    }

    /// A v2 time is believed between 2000-01-01 and 2100-01-01; outside that, the other byte order is tried.
    private static func isPlausible(seconds: UInt32) -> Bool {
        seconds >= 946_684_800 && seconds < 4_102_444_800
    }
}

// MARK: - Byte helpers

extension HEPDecoder {
    private static func bigEndian32(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32 {
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16 | UInt32(buffer[index + 2]) << 8
            | UInt32(buffer[index + 3])
    }

    private static func littleEndian32(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32 {
        UInt32(buffer[index + 3]) << 24 | UInt32(buffer[index + 2]) << 16 | UInt32(buffer[index + 1]) << 8
            | UInt32(buffer[index])
    }

    private static func bytes(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, equal text: String) -> Bool {
        var index = range.lowerBound
        for byte in text.utf8 {
            guard index < range.upperBound, buffer[index] == byte else { return false }
            index += 1
        }
        return index == range.upperBound
    }

    /// A zlib stream with the usual 32 KiB window (`78 01`, `78 5e`, `78 9c`, `78 da`) or a gzip stream
    /// (`1f 8b`): some senders put such a stream in the plain payload chunk. SIP text never starts so.
    static func looksCompressed(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        if bytes[0] == 0x1f && bytes[1] == 0x8b { return true }
        return bytes[0] == 0x78 && (bytes[1] == 0x01 || bytes[1] == 0x5e || bytes[1] == 0x9c || bytes[1] == 0xda)
    }

    private static func transport(_ ipProtocol: UInt8?) -> TransportProtocol {
        switch ipProtocol {
        case 6: .tcp
        case 132: .sctp
        default: .udp
        }
    }

    /// Dotted-quad text without Foundation, written straight into the string's storage (at most 15 bytes,
    /// so Swift keeps it inline: no allocation).
    static func ipv4Text(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int) -> String {
        String(unsafeUninitializedCapacity: 15) { text in
            var count = 0
            for index in start..<(start + 4) {
                if index > start {
                    text[count] = UInt8(ascii: ".")
                    count += 1
                }
                let octet = buffer[index]
                if octet >= 100 {
                    text[count] = UInt8(ascii: "0") + octet / 100
                    count += 1
                }
                if octet >= 10 {
                    text[count] = UInt8(ascii: "0") + octet / 10 % 10
                    count += 1
                }
                text[count] = UInt8(ascii: "0") + octet % 10
                count += 1
            }
            return count
        }
    }

    /// RFC 5952 text: lower-case hex, leading zeros dropped, the longest run of two or more zero groups as `::`.
    static func ipv6Text(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int) -> String {
        var groups = [UInt16](repeating: 0, count: 8)
        for group in 0..<8 {
            groups[group] = UInt16(buffer[start + 2 * group]) << 8 | UInt16(buffer[start + 2 * group + 1])
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for group in 0...8 {
            if group < 8 && groups[group] == 0 {
                if runStart < 0 { runStart = group }
            } else if runStart >= 0 {
                if group - runStart > bestLength { (bestStart, bestLength) = (runStart, group - runStart) }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var group = 0
        while group < 8 {
            if group == bestStart {
                text += "::"
                group += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[group], radix: 16)
            group += 1
        }
        return text
    }
}
