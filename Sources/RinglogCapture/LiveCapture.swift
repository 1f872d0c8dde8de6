import CPcap
import Glibc
import RinglogCore
import Synchronization

/// Why live capture cannot start.
public struct LiveCaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong and what to do about it.
    public var description: String
    /// Whether the process lacks the privilege to capture (root or CAP_NET_RAW is needed).
    public var isPermissionDenied: Bool

    /// Creates an error with a message for the user.
    public init(_ description: String, isPermissionDenied: Bool = false) {
        self.description = description
        self.isPermissionDenied = isPermissionDenied
    }
}

/// Captures SIP from a network interface with libpcap and delivers it as ``CapturedPacket`` values.
///
/// The capture loop runs on its own thread (never Swift's cooperative pool), decodes frames like
/// ``CaptureFileReader`` (tunnels, reassembly, HEP inside UDP), and hands SIP messages to ``packets``
/// through a bounded buffer: when the consumer falls behind, new packets are dropped and counted in
/// ``droppedPackets``. Needs root or `CAP_NET_RAW` (and `CAP_NET_ADMIN` for some interfaces).
public final class LiveCapture: CapturedPacketSource {
    /// The default BPF filter: SIP on its standard port over UDP and TCP.
    public static let defaultFilter = "udp port 5060 or tcp port 5060"

    /// The captured SIP messages; finishes after ``stop()`` or when the interface goes away.
    public var packets: AsyncStream<CapturedPacket> { delivery.packets }
    /// The interface being captured on.
    public let interface: String
    /// The BPF filter in use.
    public let filter: String

    private let delivery: PacketDelivery
    private let wake: WakeSignal
    private let thread: CaptureThread
    private let stopped = Locked(false)

    /// Opens `interface` (for example `eth0`, `lo`, or `any`) and starts capturing what `filter` (BPF
    /// syntax, as for tcpdump) lets through.
    public init(
        interface: String, filter: String = LiveCapture.defaultFilter, bufferCapacity: Int = 4096,
        authKey: String? = nil, limits: CaptureLimits = CaptureLimits(), logger: CaptureLogger = .disabled
    ) throws(LiveCaptureError) {
        self.interface = interface
        self.filter = filter
        guard let wake = WakeSignal() else { throw LiveCaptureError("cannot create a pipe: out of file descriptors") }
        let handle = try LivePcapHandle(interface: interface, filter: filter)
        guard let linkType = LinkType(dataLinkType: handle.pcap.pcap_datalink(handle.handle)) else {
            throw LiveCaptureError(
                "\(interface): link-layer type \(handle.pcap.pcap_datalink(handle.handle)) is not supported; capture on an "
                    + "Ethernet interface, lo, or any")
        }
        let delivery = PacketDelivery(capacity: bufferCapacity)
        let dissector = PacketDissector(
            linkType: linkType, hepDecoder: HEPDecoder(authKey: authKey, inflate: ZlibInflater().closure),
            limits: limits)
        self.delivery = delivery
        self.wake = wake
        thread = CaptureThread(name: "ringlog-pcap") {
            Self.run(handle, dissector: dissector, delivery: delivery, wake: wake, logger: logger)
        }
    }

    /// SIP messages dropped because the consumer did not keep up.
    public var droppedPackets: Int { delivery.dropped }

    /// Stops capturing, closes the interface and finishes ``packets``.
    public func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        if !alreadyStopped { wake.signal() }
        thread.wait()
    }

    deinit {
        stop()
    }

    /// The capture loop: wait for the capture descriptor or the wake pipe, then drain what libpcap has.
    private static func run(
        _ handle: LivePcapHandle, dissector: PacketDissector, delivery: PacketDelivery, wake: WakeSignal,
        logger: CaptureLogger
    ) {
        var dissector = dissector
        defer {
            handle.close()
            delivery.finish()
        }
        var descriptors = [
            pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: handle.pcap.pcap_get_selectable_fd(handle.handle), events: Int16(POLLIN), revents: 0),
        ]
        let nanosecondTimestamps = handle.pcap.pcap_get_tstamp_precision(handle.handle) == PCAP_TSTAMP_PRECISION_NANO
        // The frames that take the general path, and the messages they complete: reused, not made per frame.
        var frame: [UInt8] = []
        var packets: [CapturedPacket] = []
        while true {
            // The timeout only bounds how long a packet can sit in libpcap's buffer unnoticed.
            let ready = poll(&descriptors, nfds_t(descriptors.count), 250)
            if ready < 0, errno != EINTR {
                logger.debug("live capture: poll failed (errno \(errno)); stopping")
                return
            }
            if descriptors[0].revents != 0 { return }
            for _ in 0..<1024 {
                var header: UnsafeMutablePointer<pcap_pkthdr>?
                var data: UnsafePointer<UInt8>?
                let status = handle.pcap.pcap_next_ex(handle.handle, &header, &data)
                if status == 0 { break }
                guard status == 1, let header, let data else {
                    logger.debug("live capture: \(handle.pcap.errorText(handle.handle)); stopping")
                    return
                }
                // libpcap's buffer stays valid until the next read: the common frames are dissected in place,
                // as in capture files.
                let record = UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen))
                let time = CaptureTime(
                    pcapSeconds: Int64(header.pointee.ts.tv_sec), fraction: Int64(header.pointee.ts.tv_usec),
                    fractionIsNanoseconds: nanosecondTimestamps)
                packets.removeAll(keepingCapacity: true)
                if let packet = dissector.dissect(record: record, at: time, copyingInto: &frame, appendingTo: &packets)
                {
                    packets.append(packet)
                }
                for packet in packets where !delivery.deliver(packet) {
                    logger.debug("live capture: consumer is behind; dropped a SIP message")
                }
            }
        }
    }
}

/// An activated live libpcap handle.
///
/// `@unchecked Sendable`: the initialiser creates and configures the handle on the caller's thread, then
/// hands it to the capture thread, which alone uses and closes it; nothing else touches it afterwards.
private final class LivePcapHandle: @unchecked Sendable {
    let handle: OpaquePointer
    /// libpcap's functions.
    let pcap: copcap_functions
    private var isClosed = false

    init(interface: String, filter: String) throws(LiveCaptureError) {
        let pcap: copcap_functions
        switch Libpcap.loaded {
        case .success(let functions): pcap = functions
        case .failure(let missing): throw LiveCaptureError("\(interface): \(missing.message)")
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap.pcap_create(interface, &errorBuffer) else {
            throw LiveCaptureError("\(interface): cannot open for capture: \(Self.text(errorBuffer))")
        }
        // From here on every stored property is set, so a throw runs deinit, which closes the handle.
        self.handle = handle
        self.pcap = pcap
        _ = pcap.pcap_set_snaplen(handle, 262_144)
        _ = pcap.pcap_set_promisc(handle, 0)
        _ = pcap.pcap_set_timeout(handle, 100)
        _ = pcap.pcap_set_immediate_mode(handle, 1)
        _ = pcap.pcap_set_buffer_size(handle, 8 * 1024 * 1024)
        _ = pcap.pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap.pcap_activate(handle)
        if status < 0 {
            let reason = pcap.errorText(handle)
            switch status {
            case PCAP_ERROR_PERM_DENIED:
                throw LiveCaptureError(
                    "\(interface): capturing needs root or the CAP_NET_RAW capability "
                        + "(setcap cap_net_raw,cap_net_admin=eip on the ringlog binary): \(reason)",
                    isPermissionDenied: true)
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw LiveCaptureError("\(interface): no such network interface (see `ip link`): \(reason)")
            default:
                throw LiveCaptureError("\(interface): cannot start capturing: \(reason)")
            }
        }
        var program = bpf_program()
        guard pcap.pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            let reason = pcap.errorText(handle)
            throw LiveCaptureError("capture filter \"\(filter)\" is not valid BPF syntax: \(reason)")
        }
        defer { pcap.pcap_freecode(&program) }
        guard pcap.pcap_setfilter(handle, &program) == 0, pcap.pcap_setnonblock(handle, 1, &errorBuffer) == 0 else {
            let reason = pcap.errorText(handle)
            throw LiveCaptureError("\(interface): cannot apply the capture filter: \(reason)")
        }
    }

    deinit {
        close()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        pcap.pcap_close(handle)
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
