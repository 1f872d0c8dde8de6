/// An error that knows what to tell the user and which exit code the CLI returns for it.
public protocol CommandFailure: Error {
    /// A message that says what went wrong and what to do about it. Never contains a secret.
    var message: String { get }
    /// The process exit code for this failure.
    var exitCode: ExitCode { get }
}
