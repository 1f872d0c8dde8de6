/// A command line that ringlog cannot act on. The CLI prints the message with the command's usage and exits 64.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, written for the person who typed the command.
    public var description: String

    /// Creates a usage error with a message that says what to fix.
    public init(_ description: String) { self.description = description }
}
