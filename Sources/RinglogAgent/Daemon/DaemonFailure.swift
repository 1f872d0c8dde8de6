import RinglogCore

/// Why the daemon cannot start or go on: the message says what to do.
public struct DaemonFailure: Error, CommandFailure, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    /// The exit code.
    public var exitCode: ExitCode

    /// Creates a failure.
    public init(_ message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Same as ``message``.
    public var description: String { message }
}
