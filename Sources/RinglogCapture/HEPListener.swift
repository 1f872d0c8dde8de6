import Glibc
import RinglogCore
import Synchronization

/// Why the HEP listener cannot start.
public struct HEPListenerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong and what to do about it.
    public var description: String

    /// Creates an error with a message for the user.
    public init(_ description: String) { self.description = description }
}

/// Receives HEP (v3, and v1/v2) from PBXes and capture agents over UDP and TCP and delivers the SIP
/// messages inside as ``CapturedPacket`` values.
///
/// Each transport runs on its own thread (never Swift's cooperative pool), blocked in `poll` on its
/// sockets. Everything is bounded: datagrams up to 65,535 bytes, a per-connection TCP buffer, a maximum
/// number of TCP connections, and the packet buffer towards the consumer (new packets are dropped and
/// counted when it is full). A malformed packet is counted and reported through the ``CaptureLogger``
/// at debug level; it never stops the listener. A TCP connection whose stream stops making sense as
/// HEP is closed.
public final class HEPListener: CapturedPacketSource {
    /// Where and how to listen.
    public struct Configuration: Sendable, Equatable {
        /// The numeric IPv4 or IPv6 address to bind (`127.0.0.1`, `::1`, `0.0.0.0`, `::`). Default 127.0.0.1.
        public var host: String
        /// The port for both UDP and TCP; 0 picks a free one (see ``HEPListener/udpPort``). Default 9060.
        public var port: UInt16
        /// Whether to listen on UDP.
        public var listensOnUDP: Bool
        /// Whether to listen on TCP.
        public var listensOnTCP: Bool
        /// The capture password (HEP chunk 0x000e) every packet must carry, or `nil` to accept any.
        public var authKey: String?
        /// How many decoded packets may wait for the consumer before new ones are dropped.
        public var bufferCapacity: Int
        /// The most TCP connections served at once; more are accepted and closed at once.
        public var maximumConnections: Int
        /// The most unframed bytes held per TCP connection (at least one maximal HEP packet, 65,535 bytes).
        public var connectionBufferLimit: Int
        /// Seconds after which a TCP connection that sent nothing is closed.
        public var connectionIdleTimeout: Int

        /// Creates a configuration; the defaults listen on 127.0.0.1:9060, UDP and TCP.
        public init(
            host: String = "127.0.0.1", port: UInt16 = 9060, listensOnUDP: Bool = true, listensOnTCP: Bool = true,
            authKey: String? = nil, bufferCapacity: Int = 4096, maximumConnections: Int = 64,
            connectionBufferLimit: Int = 256 * 1024, connectionIdleTimeout: Int = 600
        ) {
            self.host = host
            self.port = port
            self.listensOnUDP = listensOnUDP
            self.listensOnTCP = listensOnTCP
            self.authKey = authKey
            self.bufferCapacity = bufferCapacity
            self.maximumConnections = maximumConnections
            self.connectionBufferLimit = connectionBufferLimit
            self.connectionIdleTimeout = connectionIdleTimeout
        }

        /// Parses `host:port`, `[ipv6]:port`, or a bare host (port 9060), e.g. from a configuration file.
        public init?(listenAddress: String) {
            var host = listenAddress
            var port: UInt16 = 9060
            if listenAddress.hasPrefix("[") {
                guard let close = listenAddress.firstIndex(of: "]") else { return nil }
                host = String(listenAddress[listenAddress.index(after: listenAddress.startIndex)..<close])
                let rest = listenAddress[listenAddress.index(after: close)...]
                if !rest.isEmpty {
                    guard rest.hasPrefix(":"), let parsed = UInt16(rest.dropFirst()) else { return nil }
                    port = parsed
                }
            } else if listenAddress.filter({ $0 == ":" }).count == 1, let colon = listenAddress.firstIndex(of: ":") {
                host = String(listenAddress[..<colon])
                guard let parsed = UInt16(listenAddress[listenAddress.index(after: colon)...]) else { return nil }
                port = parsed
            }
            guard ListeningSocket.socketAddress(host: host, port: port) != nil else { return nil }
            self.init(host: host, port: port)
        }
    }

    /// What the listener has seen since it started.
    public struct Counters: Sendable, Equatable {
        /// HEP packets received: UDP datagrams, or packets framed out of TCP streams.
        public var received = 0
        /// Packets decoded into a SIP message.
        public var decoded = 0
        /// Packets that are not valid HEP (bad magic, lengths, chunks, compression, oversize datagrams).
        public var malformed = 0
        /// Packets with a missing or wrong capture password.
        public var authFailed = 0
        /// Valid HEP packets that carry no SIP (RTCP reports, logs); ignored.
        public var nonSIP = 0
        /// Decoded SIP messages dropped because the consumer did not keep up.
        public var dropped = 0

        /// Creates zeroed counters.
        public init() {}
    }

    /// The decoded SIP messages; finishes after ``stop()``.
    public var packets: AsyncStream<CapturedPacket> { core.delivery.packets }
    /// The UDP port listened on, or `nil` when UDP is off.
    public let udpPort: UInt16?
    /// The TCP port listened on, or `nil` when TCP is off.
    public let tcpPort: UInt16?

    private let core: ListenerCore
    private let threads: [CaptureThread]
    private let stopped = Locked(false)

    /// Binds the sockets and starts listening.
    public init(configuration: Configuration = Configuration(), logger: CaptureLogger = .disabled)
        throws(HEPListenerError)
    {
        guard configuration.listensOnUDP || configuration.listensOnTCP else {
            throw HEPListenerError("the HEP listener needs UDP, TCP, or both enabled")
        }
        guard let wake = WakeSignal() else { throw HEPListenerError("cannot create a pipe: out of file descriptors") }
        let (udp, tcp) = try Self.bindSockets(configuration)
        udpPort = udp.map(ListeningSocket.boundPort(of:))
        tcpPort = tcp.map(ListeningSocket.boundPort(of:))
        let core = ListenerCore(configuration: configuration, logger: logger, wake: wake)
        self.core = core
        var threads: [CaptureThread] = []
        if let udp {
            threads.append(CaptureThread(name: "ringlog-hep-udp") { core.serveUDP(udp) })
        }
        if let tcp {
            threads.append(CaptureThread(name: "ringlog-hep-tcp") { core.serveTCP(tcp) })
        }
        self.threads = threads
    }

    /// A snapshot of the counters.
    public var counters: Counters { core.counters }

    /// Stops both transports, closes every socket, and finishes ``packets``.
    public func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        if !alreadyStopped { core.wake.signal() }
        for thread in threads { thread.wait() }
        core.delivery.finish()
    }

    deinit {
        stop()
    }

    /// Binds TCP first (so that port 0 picks a port), then UDP on the same port number.
    private static func bindSockets(_ configuration: Configuration) throws(HEPListenerError) -> (Int32?, Int32?) {
        let listenAddress = "\(configuration.host):\(configuration.port)"
        for _ in 0..<16 {
            guard let address = ListeningSocket.socketAddress(host: configuration.host, port: configuration.port) else {
                throw HEPListenerError(
                    "HEP listen address \"\(configuration.host)\" is not a numeric IPv4 or IPv6 address")
            }
            var tcp: Int32?
            var port = configuration.port
            do throws(ListeningSocket.Failure) {
                if configuration.listensOnTCP {
                    let descriptor = try ListeningSocket.bound(to: address, type: SOCK_STREAM)
                    tcp = descriptor
                    port = ListeningSocket.boundPort(of: descriptor)
                }
                guard configuration.listensOnUDP else { return (nil, tcp) }
                guard let udpAddress = ListeningSocket.socketAddress(host: configuration.host, port: port) else {
                    return (nil, tcp)
                }
                return (try ListeningSocket.bound(to: udpAddress, type: SOCK_DGRAM), tcp)
            } catch {
                if let tcp { close(tcp) }
                // An ephemeral TCP port may be taken for UDP by someone else: try another one.
                if configuration.port == 0, error.code == EADDRINUSE { continue }
                let hint = error.code == EACCES ? " (ports below 1024 need root)" : ""
                throw HEPListenerError("cannot listen for HEP on \(listenAddress): \(error.description)\(hint)")
            }
        }
        throw HEPListenerError("cannot listen for HEP on \(listenAddress): no free port for both UDP and TCP")
    }
}

/// The state both listener threads share: decoder, counters, delivery, logger and the wake pipe.
private final class ListenerCore: Sendable {
    let configuration: HEPListener.Configuration
    let logger: CaptureLogger
    let wake: WakeSignal
    let delivery: PacketDelivery
    let decoder: HEPDecoder
    private let received = Atomic<Int>(0)
    private let decoded = Atomic<Int>(0)
    private let malformed = Atomic<Int>(0)
    private let authFailed = Atomic<Int>(0)
    private let nonSIP = Atomic<Int>(0)
    private static let maximumDatagramSize = 65_535

    init(configuration: HEPListener.Configuration, logger: CaptureLogger, wake: WakeSignal) {
        self.configuration = configuration
        self.logger = logger
        self.wake = wake
        delivery = PacketDelivery(capacity: configuration.bufferCapacity)
        decoder = HEPDecoder(authKey: configuration.authKey, inflate: ZlibInflater().closure)
    }

    var counters: HEPListener.Counters {
        var counters = HEPListener.Counters()
        // Read first (acquiring): every outcome of the packets it counts is then seen.
        counters.received = received.load(ordering: .acquiring)
        counters.decoded = decoded.load(ordering: .relaxed)
        counters.malformed = malformed.load(ordering: .relaxed)
        counters.authFailed = authFailed.load(ordering: .relaxed)
        counters.nonSIP = nonSIP.load(ordering: .relaxed)
        counters.dropped = delivery.dropped
        return counters
    }

    /// Decodes one HEP packet and delivers its SIP message, counting the outcome.
    func handle(_ packet: [UInt8], from peer: @autoclosure () -> String) {
        // Counted after its outcome (releasing it): a snapshot that sees a packet received sees what became of it.
        defer { received.add(1, ordering: .releasing) }
        do {
            let decodedPacket = try decoder.decode(packet)
            decoded.add(1, ordering: .relaxed)
            if !delivery.deliver(decodedPacket) {
                logger.debug("HEP from \(peer()): consumer is behind; dropped a SIP message")
            }
        } catch {
            switch error {
            case .authenticationFailed:
                authFailed.add(1, ordering: .relaxed)
                logger.debug("HEP from \(peer()): wrong or missing capture password; packet ignored")
            case .notSIP:
                nonSIP.add(1, ordering: .relaxed)
            case .notHEP, .malformed, .decompressionFailed:
                malformed.add(1, ordering: .relaxed)
                logger.debug("HEP from \(peer()): malformed packet of \(packet.count) bytes (\(error)); ignored")
            }
        }
    }

    /// Counts a packet that could not even be framed or read.
    func countMalformed(_ reason: String) {
        malformed.add(1, ordering: .relaxed)
        received.add(1, ordering: .releasing)
        logger.debug(reason)
    }

    // MARK: UDP

    func serveUDP(_ descriptor: Int32) {
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: Self.maximumDatagramSize + 1)
        var descriptors = [
            pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, nfds_t(descriptors.count), 1000)
            if ready < 0, errno != EINTR {
                logger.debug("HEP UDP: poll failed (errno \(errno)); stopping")
                return
            }
            if descriptors[0].revents != 0 { return }
            guard descriptors[1].revents != 0 else { continue }
            // Drain what is queued, a bounded batch at a time so that stop() is noticed.
            for _ in 0..<1024 {
                var peer = sockaddr_storage()
                var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = buffer.withUnsafeMutableBytes { bytes in
                    withUnsafeMutablePointer(to: &peer) { pointer in
                        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_TRUNC), $0, &peerLength)
                        }
                    }
                }
                if count < 0 {
                    if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                        logger.debug("HEP UDP: receive failed (errno \(errno))")
                    }
                    break
                }
                let peerText = peer
                guard count <= Self.maximumDatagramSize else {
                    countMalformed(
                        "HEP from \(ListeningSocket.describe(peerText)): datagram of \(count) bytes is over 65535")
                    continue
                }
                handle(Array(buffer[0..<count]), from: ListeningSocket.describe(peerText))
            }
        }
    }

    // MARK: TCP

    private struct Connection {
        var descriptor: Int32
        var peer: String
        var buffer: [UInt8] = []
        var lastActivity: ContinuousClock.Instant
    }

    func serveTCP(_ listener: Int32) {
        var connections: [Connection] = []
        defer {
            for connection in connections { close(connection.descriptor) }
            close(listener)
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let clock = ContinuousClock()
        while true {
            var descriptors = [
                pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
            ]
            descriptors += connections.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), 1000)
            if ready < 0, errno != EINTR {
                logger.debug("HEP TCP: poll failed (errno \(errno)); stopping")
                return
            }
            if descriptors[0].revents != 0 { return }
            let now = clock.now
            var closing = Set<Int>()
            for index in connections.indices where descriptors[index + 2].revents != 0 {
                if !read(into: &connections[index], using: &chunk) { closing.insert(index) }
                connections[index].lastActivity = now
            }
            let idleLimit = Duration.seconds(configuration.connectionIdleTimeout)
            for index in connections.indices where now - connections[index].lastActivity > idleLimit {
                logger.debug("HEP TCP from \(connections[index].peer): idle too long; closed")
                closing.insert(index)
            }
            for index in closing.sorted(by: >) {
                close(connections[index].descriptor)
                connections.remove(at: index)
            }
            if descriptors[1].revents != 0 { accept(from: listener, into: &connections, at: now) }
        }
    }

    private func accept(from listener: Int32, into connections: inout [Connection], at now: ContinuousClock.Instant) {
        for _ in 0..<64 {
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor = withUnsafeMutablePointer(to: &peer) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.accept(listener, $0, &peerLength)
                }
            }
            guard descriptor >= 0 else { return }
            // accept4 needs _GNU_SOURCE; set the flags afterwards instead (this thread alone uses the socket).
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            let peerText = ListeningSocket.describe(peer)
            guard connections.count < configuration.maximumConnections else {
                logger.debug("HEP TCP from \(peerText): \(connections.count) connections already; refused")
                close(descriptor)
                continue
            }
            connections.append(Connection(descriptor: descriptor, peer: peerText, lastActivity: now))
        }
    }

    /// Reads what the connection has and delivers every complete HEP packet; `false` closes it.
    private func read(into connection: inout Connection, using chunk: inout [UInt8]) -> Bool {
        let descriptor = connection.descriptor
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count == 0 { return false }  // Orderly close by the peer.
        if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR }
        connection.buffer.append(contentsOf: chunk[0..<count])
        var consumed = 0
        while consumed < connection.buffer.count {
            let rest = connection.buffer[consumed...]
            guard let length = HEPStreamFramer.packetLength(startingWith: rest) else { break }
            guard length >= 6, length <= Self.maximumDatagramSize else {
                countMalformed("HEP TCP from \(connection.peer): stream is not HEP (length field \(length)); closed")
                return false
            }
            guard rest.count >= length else { break }
            handle(Array(rest.prefix(length)), from: connection.peer)
            consumed += length
        }
        connection.buffer.removeFirst(consumed)
        if connection.buffer.count > Swift.max(configuration.connectionBufferLimit, Self.maximumDatagramSize) {
            countMalformed(
                "HEP TCP from \(connection.peer): buffer over \(configuration.connectionBufferLimit) bytes; closed")
            return false
        }
        return true
    }
}
