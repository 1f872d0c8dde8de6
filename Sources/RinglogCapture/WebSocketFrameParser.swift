/// Reads RFC 6455 WebSocket frames from a reassembled TCP stream (SIP over WebSocket, RFC 7118).
enum WebSocketFrameParser {
    /// A frame's opcode (RFC 6455 section 5.2).
    enum Opcode: UInt8 {
        case continuation = 0
        case text = 1
        case binary = 2
        case close = 8
        case ping = 9
        case pong = 10
    }

    /// The result of looking at the start of a stream buffer.
    enum Frame: Equatable {
        /// A complete frame of `length` bytes; `payload` is already unmasked.
        case frame(opcode: Opcode, isFinal: Bool, payload: [UInt8], length: Int)
        /// The frame is not complete yet.
        case needMoreData
        /// Not a valid frame, or longer than allowed: resynchronise.
        case invalid
    }

    /// Parses the first frame in `buffer`, refusing payloads longer than `maximumPayloadLength`.
    static func frame(_ buffer: ArraySlice<UInt8>, maximumPayloadLength: Int) -> Frame {
        guard let first = buffer.byte(at: 0), let second = buffer.byte(at: 1) else { return .needMoreData }
        guard first & 0x70 == 0, let opcode = Opcode(rawValue: first & 0x0f) else { return .invalid }
        var headerLength = 2
        var payloadLength = Int(second & 0x7f)
        if payloadLength == 126 {
            guard let extended = buffer.uint16(at: 2) else { return .needMoreData }
            payloadLength = Int(extended)
            headerLength += 2
        } else if payloadLength == 127 {
            guard let high = buffer.uint32(at: 2), let low = buffer.uint32(at: 6) else { return .needMoreData }
            guard high == 0, low <= UInt32(Int32.max) else { return .invalid }
            payloadLength = Int(low)
            headerLength += 8
        }
        guard payloadLength <= maximumPayloadLength else { return .invalid }
        let isMasked = second & 0x80 != 0
        let maskOffset = headerLength
        if isMasked { headerLength += 4 }
        guard let payload = buffer.bytes(at: headerLength, length: payloadLength) else { return .needMoreData }
        var bytes = Array(payload)
        if isMasked, let mask = buffer.bytes(at: maskOffset, length: 4) {
            let key = Array(mask)
            for index in bytes.indices { bytes[index] ^= key[index & 3] }
        }
        return .frame(opcode: opcode, isFinal: first & 0x80 != 0, payload: bytes, length: headerLength + payloadLength)
    }
}
