import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Sends `DaemonFloodTests`' flood to 127.0.0.1 from its own thread (a blocking `sendto` loop, kept off Swift's
/// cooperative pool), paced at a set rate: INVITEs, and after every tenth a garbage datagram and a wrong-password
/// copy; every 10,000th INVITE also a datagram of the largest UDP size and an INVITE with a 60 KB header.
final class FloodSender: Sendable {
    let datagrams: FloodDatagrams
    let port: UInt16
    let invites: Int
    let datagramsPerSecond: Int

    /// INVITEs sent so far (with the right password).
    let invitesSent = Atomic<Int>(0)
    /// Garbage datagrams sent so far.
    let garbageSent = Atomic<Int>(0)
    /// INVITEs with a wrong capture password sent so far.
    let wrongPasswordSent = Atomic<Int>(0)
    /// Datagrams of the largest UDP size and INVITEs with a huge header sent so far.
    let oversizedSent = Atomic<Int>(0)
    /// `sendto` calls that failed (the kernel's send buffer was full); the datagram is lost, as under any flood.
    let sendFailures = Atomic<Int>(0)
    /// Set when the loop ended (all sent, stopped, or no socket).
    let finished = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)

    init(datagrams: FloodDatagrams, port: UInt16, invites: Int, datagramsPerSecond: Int) {
        self.datagrams = datagrams
        self.port = port
        self.invites = invites
        self.datagramsPerSecond = datagramsPerSecond
    }

    /// All datagrams sent so far.
    var totalSent: Int {
        invitesSent.load(ordering: .relaxed) + garbageSent.load(ordering: .relaxed)
            + wrongPasswordSent.load(ordering: .relaxed) + oversizedSent.load(ordering: .relaxed)
    }

    /// Starts sending on a new thread.
    func start() {
        Thread.detachNewThread { [self] in
            run()
            finished.store(true, ordering: .releasing)
        }
    }

    /// Asks the loop to end after its current batch.
    func stop() { stopRequested.store(true, ordering: .relaxed) }

    private func run() {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var bufferSize: Int32 = 4 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        guard
            withUnsafePointer(
                to: &address,
                {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }) == 0
        else { return }

        func send(_ datagram: [UInt8], counting counter: borrowing Atomic<Int>) {
            if Glibc.send(descriptor, datagram, datagram.count, 0) == datagram.count {
                counter.add(1, ordering: .relaxed)
            } else {
                sendFailures.add(1, ordering: .relaxed)
            }
        }

        var invite = datagrams.invite
        var wrongPassword = datagrams.wrongPassword
        let started = ContinuousClock.now
        var seconds = UInt32(Date().timeIntervalSince1970)
        var sent = 0
        for index in 0..<invites {
            datagrams.patch(&invite, index: index, seconds: seconds)
            send(invite, counting: invitesSent)
            sent += 1
            if index % 10 == 9 {
                send(datagrams.garbage[(index / 10) % datagrams.garbage.count], counting: garbageSent)
                datagrams.patch(&wrongPassword, index: index, seconds: seconds)
                send(wrongPassword, counting: wrongPasswordSent)
                sent += 2
            }
            if index % 10_000 == 5_000 {
                send(datagrams.oversized, counting: oversizedSent)
                send(datagrams.hugeHeader, counting: oversizedSent)
                sent += 2
            }
            if index % 500 == 499 {
                if stopRequested.load(ordering: .relaxed) { return }
                seconds = UInt32(Date().timeIntervalSince1970)
                // Pace: sleep until this many datagrams are due.
                let due = started + .microseconds(sent * 1_000_000 / datagramsPerSecond)
                let ahead = due - ContinuousClock.now
                if ahead > .zero {
                    let (wholeSeconds, attoseconds) = ahead.components
                    usleep(UInt32(wholeSeconds * 1_000_000 + attoseconds / 1_000_000_000_000))
                }
            }
        }
    }
}
