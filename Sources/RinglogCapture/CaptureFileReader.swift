import CPcap
import RinglogCore

/// Why a capture file cannot be read.
public struct CaptureFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, with the file's path.
    public var description: String

    /// Creates an error with a message for the user.
    public init(_ description: String) { self.description = description }
}

/// Reads SIP messages out of a pcap or pcapng file through libpcap: plain SIP over UDP, TCP (reassembled,
/// also inside WebSocket) and SCTP, and HEP inside UDP or TCP on any port.
///
/// Link types: Ethernet (with VLAN/QinQ/MPLS/PPPoE), Linux cooked v1 and v2, raw IP, loopback. Tunnels
/// (IP-in-IP, GRE, ERSPAN, VXLAN) are unwrapped and fragmented IPv4/IPv6 datagrams reassembled; memory
/// for reassembly is bounded by ``CaptureLimits``. Timestamps come from the pcap records (read at
/// nanosecond precision, kept in microseconds), except for HEP, which carries its own.
///
/// The reader owns a libpcap handle and is not `Sendable`: use it from one task or thread. Copies of a
/// reader share the file position.
public struct CaptureFileReader {
    /// The file being read.
    public let path: String
    private let file: PcapFile
    private var dissector: PacketDissector
    private var queued: [CapturedPacket] = []
    private var queuedIndex = 0
    /// The current frame's bytes when it is not one of the common kind: emptied and refilled for each such
    /// record, so that reading allocates no array per frame.
    private var frame: [UInt8] = []

    /// Opens the capture file at `path`; HEP packets inside are checked against `authKey` when given.
    public init(path: String, authKey: String? = nil, limits: CaptureLimits = CaptureLimits())
        throws(CaptureFileError)
    {
        self.path = path
        file = try PcapFile(path: path)
        let dataLinkType = file.pcap.pcap_datalink(file.handle)
        guard let linkType = LinkType(dataLinkType: dataLinkType) else {
            let name = file.pcap.pcap_datalink_val_to_name(dataLinkType).map { String(cString: $0) } ?? "unknown"
            throw CaptureFileError(
                "\(path): link-layer type \(name) (\(dataLinkType)) is not supported; ringlog reads Ethernet, "
                    + "Linux cooked (SLL, SLL2), raw IP and loopback captures")
        }
        let decoder = HEPDecoder(authKey: authKey, inflate: ZlibInflater().closure)
        dissector = PacketDissector(linkType: linkType, hepDecoder: decoder, limits: limits)
    }

    /// What the reader has gone through so far.
    public var statistics: CaptureStatistics { dissector.statistics }

    /// The next SIP message in file order, or `nil` at the end of the file.
    ///
    /// Throws when the file is damaged (for instance cut off in the middle of a record); the messages
    /// before the damage have been returned by then.
    public mutating func next() throws(CaptureFileError) -> CapturedPacket? {
        while true {
            if queuedIndex < queued.count {
                queuedIndex += 1
                return queued[queuedIndex - 1]
            }
            if !queued.isEmpty {
                queued.removeAll(keepingCapacity: true)
                queuedIndex = 0
            }
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let status = file.pcap.pcap_next_ex(file.handle, &header, &data)
            switch status {
            case 1:
                guard let header, let data else { continue }
                // libpcap's buffer stays valid until the next read: the common frames are dissected in place.
                let record = UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen))
                // The file was opened with nanosecond precision, so tv_usec holds nanoseconds.
                let time = CaptureTime(
                    pcapSeconds: Int64(header.pointee.ts.tv_sec), fraction: Int64(header.pointee.ts.tv_usec),
                    fractionIsNanoseconds: true)
                if let packet = dissector.dissect(record: record, at: time, copyingInto: &frame, appendingTo: &queued) {
                    return packet
                }
            case PCAP_ERROR_BREAK:  // End of file, for offline reads.
                return nil
            case 0:  // Only live captures time out; treat it as the end.
                return nil
            default:
                throw CaptureFileError("\(path): \(file.pcap.errorText(file.handle))")
            }
        }
    }
}

@available(*, unavailable, message: "a capture file reader owns a libpcap handle; use it from one task")
extension CaptureFileReader: Sendable {}

/// An open offline libpcap handle, closed when the last reader copy goes away.
private final class PcapFile {
    let handle: OpaquePointer
    /// libpcap's functions.
    let pcap: copcap_functions
    /// The stdio buffer libpcap reads the file through, freed after the handle is closed (`nil`: stdio's own).
    private let readBuffer: UnsafeMutableRawPointer?

    /// The size of ``readBuffer``: with stdio's default (the file system's block, 4 KiB) a large capture
    /// takes a `read` call per 4 KiB.
    private static let readBufferSize = 1 << 20

    init(path: String) throws(CaptureFileError) {
        let pcap: copcap_functions
        switch Libpcap.loaded {
        case .success(let functions): pcap = functions
        case .failure(let missing): throw CaptureFileError("\(path): \(missing.message)")
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let precision = UInt32(PCAP_TSTAMP_PRECISION_NANO)
        var handle: OpaquePointer?
        var readBuffer: UnsafeMutableRawPointer?
        // Opened here to give stdio a large buffer; a file that cannot be opened is left to libpcap, whose
        // message says why.
        if let file = fopen(path, "rb") {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.readBufferSize, alignment: 16)
            readBuffer = buffer
            setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, Self.readBufferSize)
            Self.skipStreamLocking(file)
            // On success the handle owns the file (pcap_close closes it); on failure it is still ours.
            handle = pcap.pcap_fopen_offline_with_tstamp_precision(file, precision, &errorBuffer)
            if handle == nil {
                fclose(file)
                buffer.deallocate()
                readBuffer = nil
            }
        } else {
            handle = pcap.pcap_open_offline_with_tstamp_precision(path, precision, &errorBuffer)
        }
        guard let handle else {
            let reason = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CaptureFileError("\(path): cannot read as a pcap or pcapng capture: \(reason)")
        }
        self.handle = handle
        self.pcap = pcap
        self.readBuffer = readBuffer
    }

    /// `__fsetlocking(file, FSETLOCKING_BYCALLER)` (glibc's <stdio_ext.h>, which Swift's Glibc module does not
    /// import), looked up once: libpcap reads each record with two `fread` calls, and stdio then takes no lock
    /// on them. Sound because the stream is read only through this file's handle, which one reader, used from
    /// one task at a time (it is not `Sendable`), owns. Without the function stdio keeps locking.
    private static let setLocking: (@convention(c) (UnsafeMutablePointer<FILE>?, Int32) -> Int32)? = {
        guard let function = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__fsetlocking") else { return nil }
        return unsafeBitCast(
            function, to: (@convention(c) (UnsafeMutablePointer<FILE>?, Int32) -> Int32).self)
    }()

    /// Leaves the locking of `file` to its owner (see ``setLocking``).
    private static func skipStreamLocking(_ file: UnsafeMutablePointer<FILE>) {
        let byCaller: Int32 = 2  // FSETLOCKING_BYCALLER.
        _ = setLocking?(file, byCaller)
    }

    deinit {
        pcap.pcap_close(handle)
        readBuffer?.deallocate()
    }
}
