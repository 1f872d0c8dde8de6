import RinglogCore

/// Turns captured link-layer frames into SIP messages.
///
/// Walks Ethernet (VLAN, QinQ, MPLS, PPPoE), Linux cooked (SLL, SLL2), loopback and raw IP frames; IPv4
/// and IPv6 (extension headers, fragment reassembly); tunnels (IP-in-IP, IPv6-in-IPv4, GRE, ERSPAN I/II/III,
/// VXLAN); then UDP, TCP (stream reassembly, WebSocket) and SCTP DATA chunks. UDP datagrams that carry HEP
/// (v3 magic or a v1/v2 header, on any port) are decoded with the given ``HEPDecoder``. Only SIP messages
/// come out; everything else (RTP, RTCP, DNS, ...) is dropped after a few byte comparisons.
struct PacketDissector {
    /// The frame's link-layer type.
    let linkType: LinkType
    /// Decodes HEP found inside UDP (or TCP) payloads.
    let hepDecoder: HEPDecoder
    /// Counts of what went through.
    private(set) var statistics = CaptureStatistics()

    private static let maximumNestingDepth = 8
    private var fragments: IPFragmentReassembler
    private var streams: TCPStreamReassembler
    private var sctpMessages: SCTPMessageReassembler
    private var time = CaptureTime(microsecondsSinceEpoch: 0)
    private var output: [CapturedPacket] = []
    /// The text of the IPv4 addresses seen last.
    private var recentIPv4Names = RecentIPv4Names()

    /// Creates a dissector for frames of `linkType`.
    init(linkType: LinkType, hepDecoder: HEPDecoder, limits: CaptureLimits) {
        self.linkType = linkType
        self.hepDecoder = hepDecoder
        fragments = IPFragmentReassembler(limits: limits)
        streams = TCPStreamReassembler(limits: limits)
        sctpMessages = SCTPMessageReassembler(maximumMessageSize: limits.maximumMessageSize)
    }

    /// The SIP messages that `frame`, captured at `time`, completes (usually none or one).
    mutating func dissect(frame: ArraySlice<UInt8>, at time: CaptureTime) -> [CapturedPacket] {
        var packets: [CapturedPacket] = []
        dissect(frame: frame, at: time, appendingTo: &packets)
        return packets
    }

    /// Appends the SIP messages that `frame`, captured at `time`, completes to `packets`; a reader that
    /// empties and reuses one array this way allocates none per frame.
    mutating func dissect(frame: ArraySlice<UInt8>, at time: CaptureTime, appendingTo packets: inout [CapturedPacket]) {
        // The messages are emitted into `output`: lend it the caller's array for this frame.
        swap(&output, &packets)
        defer { swap(&output, &packets) }
        let before = output.count
        self.time = time
        statistics.frames += 1
        switch linkType {
        case .ethernet: dissectEthernet(frame, depth: 0)
        case .null, .loop, .rawIP: dissectIP(frame, depth: 0)
        case .ipv4: dissectIPv4(frame, depth: 0)
        case .ipv6: dissectIPv6(frame, depth: 0)
        case .linuxCooked:
            if let type = frame.uint16(at: 14), let payload = frame.dropping(16) {
                dissectEtherType(type, payload, depth: 0)
            }
        case .linuxCookedV2:
            if let type = frame.uint16(at: 0), let payload = frame.dropping(20) {
                dissectEtherType(type, payload, depth: 0)
            }
        }
        statistics.sipMessages += output.count - before
    }

    // MARK: Common case

    /// VXLAN's UDP port: such datagrams carry Ethernet frames, not SIP.
    static let vxlanPort: UInt16 = 4789

    /// A frame of the kind most captures consist of: one unfragmented IPv4 UDP datagram (behind Ethernet with
    /// at most one VLAN tag, Linux cooked or raw IP headers), neither VXLAN nor HEP, with a payload.
    struct CommonDatagram {
        /// The IPv4 source address.
        var source: UInt32
        /// The IPv4 destination address.
        var destination: UInt32
        /// The UDP source port.
        var sourcePort: UInt16
        /// The UDP destination port.
        var destinationPort: UInt16
        /// Where the UDP payload is in the frame.
        var payload: Range<Int>
    }

    /// The common datagram in `frame`, a frame of `linkType`, or `nil` when the frame is of another kind and
    /// must go through ``dissect(frame:at:appendingTo:)``. Reads the same header fields, with the same checks,
    /// as that would. (Static, so that a caller holding the dissector in a property does not copy it; always
    /// inlined, as it runs once per frame.)
    @inline(__always)
    static func commonDatagram(in frame: UnsafeRawBufferPointer, linkType: LinkType) -> CommonDatagram? {
        guard let ipStart = commonIPv4Start(frame, linkType: linkType), ipStart + 20 <= frame.count else {
            return nil
        }
        let first = frame[ipStart]
        let headerLength = Int(first & 0x0f) * 4
        let available = frame.count - ipStart
        let totalLength = Int(frame.uncheckedUInt16(at: ipStart + 2))
        // A total length of 0 happens with segmentation offload; trust the captured length then.
        let end = totalLength == 0 ? available : Swift.min(totalLength, available)
        // IPv4 with a whole UDP header, not a fragment (more-fragments flag and offset clear).
        guard first >> 4 == 4, headerLength >= 20, end >= headerLength + 8, frame[ipStart + 9] == 17,
            frame.uncheckedUInt16(at: ipStart + 6) & 0x3fff == 0
        else { return nil }
        let udpStart = ipStart + headerLength
        let sourcePort = frame.uncheckedUInt16(at: udpStart)
        let destinationPort = frame.uncheckedUInt16(at: udpStart + 2)
        let udpLength = Int(frame.uncheckedUInt16(at: udpStart + 4))
        let payloadStart = udpStart + 8
        let captured = end - headerLength - 8
        let payloadCount = udpLength >= 8 ? Swift.min(udpLength - 8, captured) : captured
        guard payloadCount > 0, destinationPort != Self.vxlanPort, sourcePort != Self.vxlanPort else { return nil }
        // HEP starts with `HEP3`/`EEP3` (v3) or the version (1 or 2).
        let payloadFirst = frame[payloadStart]
        guard payloadFirst != 1, payloadFirst != 2 else { return nil }
        if payloadCount >= 4 {
            let magic = frame.uncheckedUInt32(at: payloadStart)
            guard magic != 0x4845_5033, magic != 0x4545_5033 else { return nil }  // HEP3, EEP3.
        }
        return CommonDatagram(
            source: frame.uncheckedUInt32(at: ipStart + 12), destination: frame.uncheckedUInt32(at: ipStart + 16),
            sourcePort: sourcePort, destinationPort: destinationPort,
            payload: payloadStart..<payloadStart + payloadCount)
    }

    /// Dissects one frame in libpcap's buffer (`record`), as ``dissect(frame:at:appendingTo:)`` does: the
    /// common frame (see ``commonDatagram(in:linkType:)``) in place, returning its SIP message, if any, with
    /// only the payload copied; any other frame copied into `frame` (emptied and reused) and dissected, the
    /// messages it completes appended to `packets` (and `nil` returned). (Always inlined into the reader's
    /// loop, which runs it once per record: the message is then returned without another copy.)
    @inline(__always)
    mutating func dissect(
        record: UnsafeRawBufferPointer, at time: CaptureTime, copyingInto frame: inout [UInt8],
        appendingTo packets: inout [CapturedPacket]
    ) -> CapturedPacket? {
        if let datagram = Self.commonDatagram(in: record, linkType: linkType) {
            return sipMessage(in: datagram, of: record, at: time)
        }
        frame.removeAll(keepingCapacity: true)
        frame.append(contentsOf: record)
        dissect(frame: frame[...], at: time, appendingTo: &packets)
        return nil
    }

    /// Counts `frame`, which holds `datagram`, captured at `time`, and returns the SIP message it carries,
    /// if any: the outcome of ``dissect(frame:at:appendingTo:)`` for that frame, with only the SIP payload
    /// copied.
    mutating func sipMessage(
        in datagram: CommonDatagram, of frame: UnsafeRawBufferPointer, at time: CaptureTime
    ) -> CapturedPacket? {
        self.time = time
        statistics.frames += 1
        let payload = UnsafeRawBufferPointer(rebasing: frame[datagram.payload])
        // SIP starts with an upper-case letter.
        guard let first = payload.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z"),
            SIPStartLine.isSIPDatagram(payload)
        else { return nil }
        return message(in: datagram, payload: payload, at: time)
    }

    /// Counts and returns the SIP message `payload` of `datagram`, captured at `time`. (Kept out of
    /// ``sipMessage(in:of:at:)``, which then builds no message on its path that returns `nil`.)
    @inline(never)
    private mutating func message(
        in datagram: CommonDatagram, payload: UnsafeRawBufferPointer, at time: CaptureTime
    ) -> CapturedPacket {
        statistics.sipMessages += 1
        // `Array(_:)` of a raw buffer copies with one `memcpy` into storage allocated by code specialised for
        // bytes (`unsafeUninitializedCapacity` goes through the standard library's generic allocation).
        return CapturedPacket(
            timestamp: time,
            source: TransportEndpoint(address: recentIPv4Names.name(of: datagram.source), port: datagram.sourcePort),
            destination: TransportEndpoint(
                address: recentIPv4Names.name(of: datagram.destination), port: datagram.destinationPort),
            transport: .udp, payload: Array(payload))
    }

    /// Where an IPv4 header starts in `frame` when its link-layer header is one of the common ones and says
    /// IPv4; `nil` otherwise.
    @inline(__always)
    private static func commonIPv4Start(_ frame: UnsafeRawBufferPointer, linkType: LinkType) -> Int? {
        switch linkType {
        case .ethernet:
            guard frame.count >= 14 else { return nil }
            switch frame.uncheckedUInt16(at: 12) {
            case 0x0800: return 14
            case 0x8100, 0x88a8, 0x9100:  // One VLAN tag.
                return frame.count >= 18 && frame.uncheckedUInt16(at: 16) == 0x0800 ? 18 : nil
            default: return nil
            }
        case .linuxCooked:
            return frame.count >= 16 && frame.uncheckedUInt16(at: 14) == 0x0800 ? 16 : nil
        case .linuxCookedV2:
            return frame.count >= 20 && frame.uncheckedUInt16(at: 0) == 0x0800 ? 20 : nil
        case .ipv4:
            return 0
        case .rawIP, .null, .loop:
            // Version 4 first; or a 4-byte loopback header first, then version 4 (as dissectIP reads it).
            guard let first = frame.byte(at: 0) else { return nil }
            if first >> 4 == 4 { return 0 }
            guard first >> 4 != 6, frame.count > 4, frame[4] >> 4 == 4 else { return nil }
            return 4
        case .ipv6:
            return nil
        }
    }

    // MARK: Link layer

    private mutating func dissectEthernet(_ bytes: ArraySlice<UInt8>, depth: Int) {
        guard let type = bytes.uint16(at: 12), let payload = bytes.dropping(14) else { return }
        dissectEtherType(type, payload, depth: depth)
    }

    private mutating func dissectEtherType(_ type: UInt16, _ payload: ArraySlice<UInt8>, depth: Int) {
        guard depth < Self.maximumNestingDepth else { return }
        switch type {
        case 0x0800: dissectIPv4(payload, depth: depth)
        case 0x86dd: dissectIPv6(payload, depth: depth)
        case 0x8100, 0x88a8, 0x9100:  // 802.1Q VLAN, 802.1ad QinQ, legacy QinQ: 2-byte tag, then the type.
            if let inner = payload.uint16(at: 2), let rest = payload.dropping(4) {
                dissectEtherType(inner, rest, depth: depth + 1)
            }
        case 0x8847, 0x8848:  // MPLS: pop labels up to bottom of stack, then guess IP by its version.
            var offset = 0
            while let entry = payload.uint32(at: offset), offset < 64 {
                offset += 4
                if entry & 0x100 != 0, let rest = payload.dropping(offset) {
                    dissectIP(rest, depth: depth + 1)
                    return
                }
            }
        case 0x8864:  // PPPoE session: 6-byte header, then a 2-byte PPP protocol.
            guard let protocolNumber = payload.uint16(at: 6), let rest = payload.dropping(8) else { return }
            if protocolNumber == 0x0021 { dissectIPv4(rest, depth: depth + 1) }
            if protocolNumber == 0x0057 { dissectIPv6(rest, depth: depth + 1) }
        case 0x6558:  // Transparent Ethernet bridging.
            dissectEthernet(payload, depth: depth + 1)
        default:
            return
        }
    }

    // MARK: Network layer

    private mutating func dissectIP(_ bytes: ArraySlice<UInt8>, depth: Int) {
        switch bytes.first.map({ $0 >> 4 }) {
        case 4: dissectIPv4(bytes, depth: depth)
        case 6: dissectIPv6(bytes, depth: depth)
        default:
            // DLT_NULL / DLT_LOOP: a 4-byte address family in the capturing host's byte order comes first;
            // the IP version nibble after it says the same thing and cannot be misread.
            guard bytes.count > 4, depth == 0, let rest = bytes.dropping(4) else { return }
            switch rest.first.map({ $0 >> 4 }) {
            case 4: dissectIPv4(rest, depth: depth)
            case 6: dissectIPv6(rest, depth: depth)
            default: return
            }
        }
    }

    private mutating func dissectIPv4(_ bytes: ArraySlice<UInt8>, depth: Int) {
        guard depth < Self.maximumNestingDepth, let first = bytes.byte(at: 0), first >> 4 == 4 else { return }
        let headerLength = Int(first & 0x0f) * 4
        guard headerLength >= 20, let totalLength = bytes.uint16(at: 2).map(Int.init),
            let fragmentField = bytes.uint16(at: 6), let protocolNumber = bytes.byte(at: 9),
            let source = IPAddress.ipv4(bytes, at: 12), let destination = IPAddress.ipv4(bytes, at: 16)
        else { return }
        // A total length of 0 happens with segmentation offload; trust the captured length then.
        let end = totalLength == 0 ? bytes.count : Swift.min(totalLength, bytes.count)
        guard end >= headerLength, let payload = bytes.bytes(at: headerLength, length: end - headerLength) else {
            return
        }
        let moreFragments = fragmentField & 0x2000 != 0
        let fragmentOffset = Int(fragmentField & 0x1fff) * 8
        if moreFragments || fragmentOffset > 0 {
            let key = IPFragmentReassembler.Key(
                source: source, destination: destination, identification: UInt32(bytes.uint16(at: 4) ?? 0),
                protocolNumber: protocolNumber)
            let fragment = IPFragmentReassembler.Fragment(
                offset: fragmentOffset, bytes: payload, isLast: !moreFragments)
            if let whole = fragments.add(fragment, key: key, nextHeader: protocolNumber, at: time) {
                dissectTransport(whole.nextHeader, whole.payload[...], source, destination, depth: depth)
            }
            return
        }
        dissectTransport(protocolNumber, payload, source, destination, depth: depth)
    }

    private mutating func dissectIPv6(_ bytes: ArraySlice<UInt8>, depth: Int) {
        guard depth < Self.maximumNestingDepth, let first = bytes.byte(at: 0), first >> 4 == 6,
            let payloadLength = bytes.uint16(at: 4).map(Int.init), let nextHeader = bytes.byte(at: 6),
            let source = IPAddress.ipv6(bytes, at: 8), let destination = IPAddress.ipv6(bytes, at: 24),
            let rest = bytes.dropping(40)
        else { return }
        let payload = payloadLength == 0 ? rest : rest.prefix(payloadLength)
        dissectIPv6Headers(nextHeader, payload, source, destination, depth: depth)
    }

    /// Walks IPv6 extension headers (RFC 8200) up to the transport header, reassembling fragments.
    private mutating func dissectIPv6Headers(
        _ firstHeader: UInt8, _ bytes: ArraySlice<UInt8>, _ source: IPAddress, _ destination: IPAddress, depth: Int
    ) {
        var nextHeader = firstHeader
        var payload = bytes
        for _ in 0..<Self.maximumNestingDepth {
            switch nextHeader {
            case 0, 43, 60:  // Hop-by-hop, routing, destination options: length in 8-byte units after the first 8.
                guard let next = payload.byte(at: 0), let units = payload.byte(at: 1),
                    let rest = payload.dropping((Int(units) + 1) * 8)
                else { return }
                nextHeader = next
                payload = rest
            case 51:  // Authentication header: length in 4-byte units, minus 2.
                guard let next = payload.byte(at: 0), let units = payload.byte(at: 1),
                    let rest = payload.dropping((Int(units) + 2) * 4)
                else { return }
                nextHeader = next
                payload = rest
            case 44:  // Fragment header.
                guard let next = payload.byte(at: 0), let field = payload.uint16(at: 2),
                    let identification = payload.uint32(at: 4), let data = payload.dropping(8)
                else { return }
                let key = IPFragmentReassembler.Key(
                    source: source, destination: destination, identification: identification, protocolNumber: 0)
                let fragment = IPFragmentReassembler.Fragment(
                    offset: Int(field & 0xfff8), bytes: data, isLast: field & 1 == 0)
                if fragment.offset == 0, fragment.isLast {  // An atomic fragment (RFC 6946).
                    nextHeader = next
                    payload = data
                    continue
                }
                guard let whole = fragments.add(fragment, key: key, nextHeader: next, at: time) else { return }
                nextHeader = whole.nextHeader
                payload = whole.payload[...]
            default:
                dissectTransport(nextHeader, payload, source, destination, depth: depth)
                return
            }
        }
    }

    // MARK: Transport layer and tunnels

    private mutating func dissectTransport(
        _ protocolNumber: UInt8, _ payload: ArraySlice<UInt8>, _ source: IPAddress, _ destination: IPAddress,
        depth: Int
    ) {
        switch protocolNumber {
        case 17: dissectUDP(payload, source, destination, depth: depth)
        case 6: dissectTCP(payload, source, destination)
        case 132: dissectSCTP(payload, source, destination)
        case 4: dissectIPv4(payload, depth: depth + 1)
        case 41: dissectIPv6(payload, depth: depth + 1)
        case 47: dissectGRE(payload, depth: depth + 1)
        default: return
        }
    }

    private mutating func dissectUDP(
        _ bytes: ArraySlice<UInt8>, _ source: IPAddress, _ destination: IPAddress, depth: Int
    ) {
        guard let sourcePort = bytes.uint16(at: 0), let destinationPort = bytes.uint16(at: 2),
            let length = bytes.uint16(at: 4).map(Int.init), let rest = bytes.dropping(8)
        else { return }
        let payload = length >= 8 ? rest.prefix(length - 8) : rest
        guard let first = payload.first else { return }
        if destinationPort == Self.vxlanPort || sourcePort == Self.vxlanPort {  // VXLAN: 8-byte header, then Ethernet.
            if first & 0x08 != 0, let inner = payload.dropping(8) { dissectEthernet(inner, depth: depth + 1) }
            return
        }
        // Quick rejection: SIP starts with an upper-case letter, HEP with `HEP3`/`EEP3` or version 1/2.
        guard (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")) || first == 1 || first == 2 else { return }
        if HEPStreamFramer.mayBeHEP(payload) {
            decodeHEP(payload)
            return
        }
        if SIPStartLine.isSIPMessage(payload) {
            emit(payload, source, sourcePort, destination, destinationPort, .udp)
        }
    }

    private mutating func dissectTCP(_ bytes: ArraySlice<UInt8>, _ source: IPAddress, _ destination: IPAddress) {
        guard let sourcePort = bytes.uint16(at: 0), let destinationPort = bytes.uint16(at: 2),
            let sequence = bytes.uint32(at: 4), let offsetByte = bytes.byte(at: 12), let flags = bytes.byte(at: 13)
        else { return }
        let headerLength = Int(offsetByte >> 4) * 4
        guard headerLength >= 20, let payload = bytes.dropping(headerLength) else { return }
        let segment = TCPStreamReassembler.Segment(
            sequence: sequence, isSynchronize: flags & 0x02 != 0, isFinish: flags & 0x01 != 0,
            isReset: flags & 0x04 != 0, payload: payload)
        let key = TCPStreamReassembler.FlowKey(
            source: source, sourcePort: sourcePort, destination: destination, destinationPort: destinationPort)
        for message in streams.receive(segment, of: key, at: time) {
            switch message {
            case .sip(let bytes, let transport):
                emit(bytes[...], source, sourcePort, destination, destinationPort, transport)
            case .hep(let bytes):
                decodeHEP(bytes[...])
            }
        }
    }

    /// SCTP (RFC 9260): every DATA chunk, or run of DATA chunks making up one user message, that carries SIP.
    private mutating func dissectSCTP(_ bytes: ArraySlice<UInt8>, _ source: IPAddress, _ destination: IPAddress) {
        guard let sourcePort = bytes.uint16(at: 0), let destinationPort = bytes.uint16(at: 2) else { return }
        let key = SCTPMessageReassembler.Key(
            source: source, sourcePort: sourcePort, destination: destination, destinationPort: destinationPort)
        var offset = 12
        while let type = bytes.byte(at: offset), let flags = bytes.byte(at: offset + 1),
            let length = bytes.uint16(at: offset + 2).map(Int.init), length >= 4
        {
            if type == 0, length > 16, let tsn = bytes.uint32(at: offset + 4),
                let data = bytes.bytes(at: offset + 16, length: length - 16) ?? bytes.dropping(offset + 16),
                let message = sctpMessages.add(
                    data, tsn: tsn, isBeginning: flags & 0x02 != 0, isEnd: flags & 0x01 != 0, key: key),
                SIPStartLine.isSIPMessage(message)
            {
                emit(message, source, sourcePort, destination, destinationPort, .sctp)
            }
            offset += (length + 3) & ~3
        }
    }

    /// GRE (RFC 2784/2890) carrying IP, Ethernet, or ERSPAN type I, II or III.
    private mutating func dissectGRE(_ bytes: ArraySlice<UInt8>, depth: Int) {
        guard depth < Self.maximumNestingDepth, let flags = bytes.uint16(at: 0), let type = bytes.uint16(at: 2),
            flags & 0x0007 == 0, flags & 0x4000 == 0  // Version 0 only; no (obsolete) routing field.
        else { return }
        var offset = 4
        if flags & 0x8000 != 0 { offset += 4 }  // Checksum.
        if flags & 0x2000 != 0 { offset += 4 }  // Key.
        let hasSequence = flags & 0x1000 != 0
        if hasSequence { offset += 4 }
        guard let payload = bytes.dropping(offset) else { return }
        switch type {
        case 0x88be:  // ERSPAN type II has an 8-byte header and a sequence number; type I has neither.
            if hasSequence {
                if let inner = payload.dropping(8) { dissectEthernet(inner, depth: depth + 1) }
            } else {
                dissectEthernet(payload, depth: depth + 1)
            }
        case 0x22eb:  // ERSPAN type III: 12-byte header, plus an 8-byte platform sub-header when O is set.
            guard let last = payload.byte(at: 11) else { return }
            if let inner = payload.dropping(last & 0x01 != 0 ? 20 : 12) { dissectEthernet(inner, depth: depth + 1) }
        default:
            dissectEtherType(type, payload, depth: depth + 1)
        }
    }

    // MARK: Output

    private mutating func decodeHEP(_ bytes: ArraySlice<UInt8>) {
        statistics.hepPackets += 1
        do {
            output.append(try hepDecoder.decode(Array(bytes)))
        } catch {
            statistics.hepPacketsRejected += 1
        }
    }

    /// `address.description`, from the recent IPv4 names when it is there.
    private mutating func name(of address: IPAddress) -> String {
        guard case .v4(let value) = address else { return address.description }
        return recentIPv4Names.name(of: value)
    }

    private mutating func emit(
        _ payload: ArraySlice<UInt8>, _ source: IPAddress, _ sourcePort: UInt16, _ destination: IPAddress,
        _ destinationPort: UInt16, _ transport: TransportProtocol
    ) {
        output.append(
            CapturedPacket(
                timestamp: time, source: TransportEndpoint(address: name(of: source), port: sourcePort),
                destination: TransportEndpoint(address: name(of: destination), port: destinationPort),
                transport: transport, payload: Array(payload)))
    }
}
