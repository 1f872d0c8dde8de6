import RinglogCore

/// Reassembles TCP byte streams per flow direction and cuts them into messages: SIP by
/// `Content-Length`, SIP inside WebSocket frames (after the HTTP upgrade), or back-to-back HEP packets.
///
/// Bounded: at most ``CaptureLimits/maximumTCPFlows`` flow directions, each with a buffer of at most
/// twice ``CaptureLimits/maximumMessageSize`` and ``CaptureLimits/maximumOutOfOrderSegments`` held
/// segments (together at most ``CaptureLimits/maximumMessageSize`` bytes), and all flows together
/// holding at most ``CaptureLimits/maximumBufferedStreamBytes``. A flow that goes idle for ``CaptureLimits/tcpFlowIdleTimeout`` seconds is forgotten. When
/// data is lost (a gap that never fills) or the stream stops making sense, the flow resynchronises at
/// the next segment that starts a recognisable message.
struct TCPStreamReassembler {
    /// One direction of a TCP connection.
    struct FlowKey: Hashable {
        var source: IPAddress
        var sourcePort: UInt16
        var destination: IPAddress
        var destinationPort: UInt16
    }

    /// A TCP segment's sequence number, flags and payload.
    struct Segment {
        var sequence: UInt32
        var isSynchronize: Bool
        var isFinish: Bool
        var isReset: Bool
        var payload: ArraySlice<UInt8>
    }

    /// A message cut out of a stream.
    enum Message: Equatable {
        /// A SIP message that travelled over plain TCP (`.tcp`) or inside WebSocket frames (`.websocket`).
        case sip([UInt8], TransportProtocol)
        /// A HEP packet (HEP over TCP), still to be decoded.
        case hep([UInt8])
    }

    private enum Mode {
        case unknown, sip, webSocketHandshake, webSocket, hep, ignored
    }

    private struct Flow {
        var mode = Mode.unknown
        var nextSequence: UInt32?
        var buffer: [UInt8] = []
        var outOfOrder: [UInt32: [UInt8]] = [:]
        var outOfOrderBytes = 0
        var webSocketFragments: [UInt8]?
        var lastSeen: CaptureTime

        /// The bytes this flow holds in memory.
        var heldBytes: Int { buffer.count + outOfOrderBytes + (webSocketFragments?.count ?? 0) }

        mutating func resynchronise() {
            mode = .unknown
            nextSequence = nil
            buffer = []
            outOfOrder = [:]
            outOfOrderBytes = 0
            webSocketFragments = nil
        }
    }

    private static let sweepInterval: Int64 = 10_000_000
    private static let maximumHandshakeLength = 16 * 1024
    private let limits: CaptureLimits
    private var flows: [FlowKey: Flow] = [:]
    private var lastSweep: CaptureTime?
    private var heldBytes = 0

    /// Creates an empty reassembler.
    init(limits: CaptureLimits) {
        self.limits = limits
    }

    /// The number of flow directions tracked.
    var flowCount: Int { flows.count }

    /// The bytes all flows hold.
    var bufferedBytes: Int { heldBytes }

    /// Adds a segment of the flow `key`; returns the messages it completed, in stream order.
    mutating func receive(_ segment: Segment, of key: FlowKey, at time: CaptureTime) -> [Message] {
        sweepIdleFlows(at: time)
        let heldBefore = flows[key]?.heldBytes ?? 0
        if segment.isReset {
            flows[key] = nil
            heldBytes -= heldBefore
            return []
        }
        guard segment.isSynchronize || !segment.payload.isEmpty || flows[key] != nil else { return [] }
        var flow = flows[key] ?? Flow(lastSeen: time)
        flow.lastSeen = time
        var sequence = segment.sequence
        if segment.isSynchronize {
            flow.resynchronise()
            sequence = sequence &+ 1
            flow.nextSequence = sequence
        }
        var messages: [Message] = []
        if !segment.payload.isEmpty {
            accept(segment.payload, sequence: sequence, into: &flow)
            process(&flow, into: &messages)
        }
        if segment.isFinish {
            flows[key] = nil
            heldBytes -= heldBefore
        } else {
            if flows[key] == nil, flows.count >= limits.maximumTCPFlows { evictLeastRecentlyActive() }
            flows[key] = flow
            heldBytes += flow.heldBytes - heldBefore
            while heldBytes > limits.maximumBufferedStreamBytes, !flows.isEmpty { evictLeastRecentlyActive() }
        }
        return messages
    }

    /// Puts the payload in order into the flow's buffer (or holds it while an earlier segment is missing).
    private func accept(_ payload: ArraySlice<UInt8>, sequence: UInt32, into flow: inout Flow) {
        if flow.nextSequence == nil {
            // Joined mid-stream, or resynchronising: start only where a message visibly starts.
            guard Self.startsMessage(payload) else { return }
            flow.nextSequence = sequence
        }
        guard let next = flow.nextSequence else { return }
        let delta = Int32(bitPattern: sequence &- next)
        if delta > 0 {
            if flow.outOfOrder.count < limits.maximumOutOfOrderSegments,
                flow.outOfOrderBytes + payload.count <= limits.maximumMessageSize, flow.outOfOrder[sequence] == nil
            {
                // A copy, so that a held segment does not keep its whole captured frame alive.
                flow.outOfOrder[sequence] = Array(payload)
                flow.outOfOrderBytes += payload.count
                return
            }
            // The gap is not going to fill: give up on the lost data.
            flow.resynchronise()
            accept(payload, sequence: sequence, into: &flow)
            return
        }
        append(payload, sequence: sequence, to: &flow)
        // Held segments that now fit; each pass removes one, so this ends.
        while let held = flow.outOfOrder.first(where: { Int32(bitPattern: $0.key &- (flow.nextSequence ?? 0)) <= 0 }) {
            flow.outOfOrder[held.key] = nil
            flow.outOfOrderBytes -= held.value.count
            append(held.value[...], sequence: held.key, to: &flow)
        }
    }

    private func append(_ payload: ArraySlice<UInt8>, sequence: UInt32, to flow: inout Flow) {
        guard let next = flow.nextSequence else { return }
        let overlap = Int(-Int32(bitPattern: sequence &- next))
        guard overlap >= 0, overlap < payload.count else { return }  // Retransmission of data already seen.
        let fresh = payload.dropFirst(overlap)
        flow.buffer.append(contentsOf: fresh)
        flow.nextSequence = next &+ UInt32(fresh.count)
    }

    /// Cuts complete messages off the front of the flow's buffer.
    private func process(_ flow: inout Flow, into messages: inout [Message]) {
        // Every pass either consumes bytes, changes mode towards a terminal one, or stops.
        var passes = 0
        while !flow.buffer.isEmpty, passes < 100_000 {
            passes += 1
            let buffer = flow.buffer[...]
            switch flow.mode {
            case .unknown:
                guard let mode = Self.mode(startingWith: buffer) else {
                    if buffer.count > SIPStartLine.maximumLength { flow.resynchronise() }
                    return
                }
                if mode == .ignored {
                    flow.resynchronise()
                    return
                }
                flow.mode = mode
            case .sip:
                switch SIPStreamFramer.frame(buffer, maximumLength: limits.maximumMessageSize) {
                case .message(let skipped, let length):
                    messages.append(.sip(Array(buffer.dropFirst(skipped).prefix(length)), .tcp))
                    flow.buffer.removeFirst(skipped + length)
                case .needMoreData(let skipped):
                    flow.buffer.removeFirst(skipped)
                    return
                case .invalid:
                    flow.resynchronise()
                    return
                }
            case .webSocketHandshake:
                guard let end = SIPStreamFramer.headerEnd(in: buffer, limit: Self.maximumHandshakeLength) else {
                    if buffer.count > Self.maximumHandshakeLength { flow.resynchronise() }
                    return
                }
                let isUpgrade = Self.containsIgnoringCase(buffer.prefix(end), "websocket")
                flow.buffer.removeFirst(end)
                flow.mode = isUpgrade ? .webSocket : .ignored
            case .webSocket:
                switch WebSocketFrameParser.frame(buffer, maximumPayloadLength: limits.maximumMessageSize) {
                case .frame(let opcode, let isFinal, let payload, let length):
                    flow.buffer.removeFirst(length)
                    handleWebSocketFrame(opcode: opcode, isFinal: isFinal, payload: payload, in: &flow, into: &messages)
                case .needMoreData:
                    return
                case .invalid:
                    flow.resynchronise()
                    return
                }
            case .hep:
                guard let length = HEPStreamFramer.packetLength(startingWith: buffer) else { return }
                guard length >= 6, length <= limits.maximumMessageSize else {
                    flow.resynchronise()
                    return
                }
                guard buffer.count >= length else { return }
                messages.append(.hep(Array(buffer.prefix(length))))
                flow.buffer.removeFirst(length)
            case .ignored:
                flow.buffer = []
            }
        }
        if flow.buffer.count > 2 * limits.maximumMessageSize { flow.resynchronise() }
    }

    private func handleWebSocketFrame(
        opcode: WebSocketFrameParser.Opcode, isFinal: Bool, payload: [UInt8], in flow: inout Flow,
        into messages: inout [Message]
    ) {
        var complete: [UInt8]?
        switch opcode {
        case .text, .binary:
            if isFinal { complete = payload } else { flow.webSocketFragments = payload }
        case .continuation:
            guard var fragments = flow.webSocketFragments else { return }
            fragments.append(contentsOf: payload)
            if fragments.count > limits.maximumMessageSize {
                flow.webSocketFragments = nil
            } else if isFinal {
                complete = fragments
                flow.webSocketFragments = nil
            } else {
                flow.webSocketFragments = fragments
            }
        case .close:
            flow.mode = .ignored
        case .ping, .pong:
            break
        }
        if let message = complete, SIPStartLine.isSIPMessage(message[...]) {
            messages.append(.sip(message, .websocket))
        }
    }

    /// What kind of stream starts with `bytes`; `nil` when more bytes are needed to tell.
    private static func mode(startingWith bytes: ArraySlice<UInt8>) -> Mode? {
        if HEPStreamFramer.isHEP3Magic(bytes) { return .hep }
        if bytes.starts(withASCII: "GET ") || bytes.starts(withASCII: "HTTP/1.1 101") {
            return .webSocketHandshake
        }
        let afterLineBreaks = bytes.drop { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        if afterLineBreaks.isEmpty { return nil }
        if bytes.count < 4, "HEP3".utf8.starts(with: bytes) || "GET ".utf8.starts(with: bytes) { return nil }
        switch SIPStartLine.verdict(for: afterLineBreaks) {
        case .sip: return .sip
        case .needMoreData: return nil
        case .notSIP: return .ignored
        }
    }

    /// Whether a segment seen without its stream's beginning starts a message worth following.
    private static func startsMessage(_ payload: ArraySlice<UInt8>) -> Bool {
        switch mode(startingWith: payload) {
        case .ignored: return false
        default: return true
        }
    }

    private static func containsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: String) -> Bool {
        let needle = Array(lowercase.utf8)
        guard bytes.count >= needle.count else { return false }
        let lowered = bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        for start in 0...(lowered.count - needle.count)
        where lowered[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    private mutating func sweepIdleFlows(at time: CaptureTime) {
        guard let last = lastSweep else {
            lastSweep = time
            return
        }
        guard time.microsecondsApart(from: last) >= Self.sweepInterval else { return }
        lastSweep = time
        let timeout = limits.tcpFlowIdleTimeout * 1_000_000
        flows = flows.filter { _, flow in
            time.microsecondsApart(from: flow.lastSeen) <= timeout
        }
        heldBytes = flows.values.reduce(0) { $0 + $1.heldBytes }
    }

    private mutating func evictLeastRecentlyActive() {
        guard let oldest = flows.min(by: { $0.value.lastSeen < $1.value.lastSeen }) else { return }
        flows[oldest.key] = nil
        heldBytes = flows.isEmpty ? 0 : heldBytes - oldest.value.heldBytes
    }
}
