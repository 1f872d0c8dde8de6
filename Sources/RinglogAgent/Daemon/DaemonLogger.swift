import Foundation
import RinglogCore
import Synchronization

/// The daemon's logger: one line per message on standard error with a `<N>` syslog priority prefix
/// (journald reads it), written with write(2) so nothing waits in a buffer when the process is killed.
///
/// Redaction guard: every secret the configuration holds is replaced by `<redacted>` before a line is
/// written, so a secret that slips into an error message never reaches the log.
public final class DaemonLogger: Sendable {
    private struct State {
        var minimumLevel: LogLevel
        var secrets: [String]
    }

    private let state: Locked<State>
    private let descriptor: Int32

    /// Creates a logger writing to `descriptor` (standard error by default).
    public init(minimumLevel: LogLevel = .info, secrets: [String] = [], descriptor: Int32 = STDERR_FILENO) {
        state = Locked(State(minimumLevel: minimumLevel, secrets: secrets.filter { $0.count >= 4 }))
        self.descriptor = descriptor
    }

    /// Changes the level and the secrets to hide (after a configuration reload).
    public func update(minimumLevel: LogLevel, secrets: [String]) {
        state.withLock {
            $0.minimumLevel = minimumLevel
            $0.secrets = secrets.filter { $0.count >= 4 }
        }
    }

    /// Logs `message` at `level`.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        let (minimum, secrets) = state.withLock { ($0.minimumLevel, $0.secrets) }
        guard level >= minimum else { return }
        let line = "<\(level.syslogPriority)>" + Self.redact(message(), secrets: secrets) + "\n"
        var bytes = Array(line.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeMutableBytes {
                write(descriptor, $0.baseAddress! + written, $0.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            written += count
        }
    }

    /// `text` with every secret replaced by `<redacted>`; newlines become spaces (one line per message).
    public static func redact(_ text: String, secrets: [String]) -> String {
        var result = text.replacing("\n", with: " ")
        for secret in secrets where !secret.isEmpty {
            result = result.replacing(secret, with: "<redacted>")
        }
        return result
    }

    /// Logs at debug level.
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    /// Logs at info level.
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    /// Logs at notice level.
    public func notice(_ message: @autoclosure () -> String) { log(.notice, message()) }
    /// Logs at warning level.
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    /// Logs at error level.
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
