import RinglogCore

/// One `ringlog` subcommand: it parses its arguments and calls the libraries, nothing more.
protocol RinglogCommand: Sendable {
    /// The word that selects the subcommand, e.g. `normalize`.
    static var name: String { get }
    /// One line for `ringlog --help`.
    static var summary: String { get }
    /// The full `--help` text of the subcommand.
    static var usage: String { get }
    /// Runs the subcommand with the arguments after its name.
    static func run(_ arguments: [String]) async throws -> ExitCode
}
