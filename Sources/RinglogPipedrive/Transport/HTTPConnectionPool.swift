import Synchronization

import class RinglogCore.Locked

/// Idle keep-alive connections per origin, a few at most, each dropped after a while without use.
final class HTTPConnectionPool: Sendable {
    private let idle = Locked<[HTTPOrigin: [HTTPConnection]]>([:])
    private let maximumIdlePerOrigin: Int
    private let maximumIdle: Duration

    /// Creates an empty pool.
    /// - Parameters:
    ///   - maximumIdlePerOrigin: idle connections kept per origin; more are closed.
    ///   - maximumIdle: how long a connection may sit unused before it is closed rather than reused
    ///     (servers close idle connections after their own timeout; reusing one they are about to close
    ///     risks losing a request).
    init(maximumIdlePerOrigin: Int, maximumIdle: Duration) {
        self.maximumIdlePerOrigin = maximumIdlePerOrigin
        self.maximumIdle = maximumIdle
    }

    /// An idle connection to `origin` that is still usable, or nil. Stale ones are closed on the way.
    func checkOut(_ origin: HTTPOrigin) -> HTTPConnection? {
        let now = MonotonicInstant.now
        var stale: [HTTPConnection] = []
        defer { for connection in stale { connection.close() } }
        return idle.withLock { idle in
            // Bounded by the pool's size. The newest connection is the least likely to be closed by the server.
            while let connection = idle[origin]?.popLast() {
                if connection.isReusable(now: now, maximumIdle: maximumIdle) { return connection }
                stale.append(connection)
            }
            return nil
        }
    }

    /// Takes back a connection whose last response was read completely and allowed keep-alive.
    func checkIn(_ connection: HTTPConnection) {
        connection.idleSince = .now
        let surplus: HTTPConnection? = idle.withLock { idle in
            var list = idle[connection.origin] ?? []
            list.append(connection)
            let dropped = list.count > maximumIdlePerOrigin ? list.removeFirst() : nil
            idle[connection.origin] = list
            return dropped
        }
        surplus?.close()
    }
}
