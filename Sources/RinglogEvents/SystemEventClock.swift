import Foundation

/// The wall clock and `Task.sleep`.
public struct SystemEventClock: EventClock {
    /// Creates the system clock.
    public init() {}

    public func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    public func sleep(until milliseconds: Int64) async throws {
        let wait = milliseconds - now()
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
    }
}
