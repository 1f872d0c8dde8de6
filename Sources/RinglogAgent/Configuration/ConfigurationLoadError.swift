import RinglogCore

/// A tenant configuration file that ringlog cannot use; the message names the file, the key and the fix.
public struct ConfigurationLoadError: Error, Equatable, Sendable, CommandFailure, CustomStringConvertible {
    /// The configuration file.
    public var path: String
    /// What is wrong, with the key where there is one.
    public var problem: String

    /// Creates an error about the file at `path`.
    public init(path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var message: String { "\(path): \(problem)" }
    public var exitCode: ExitCode { .configuration }
    public var description: String { message }
}
