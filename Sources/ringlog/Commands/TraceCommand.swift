import RinglogAgent
import RinglogCore

/// `ringlog trace --config FILE CALL-ID`: what happened to one call.
enum TraceCommand: RinglogCommand {
    static let name = "trace"
    static let summary = "show what happened to one call: seen, matched, written, Pipedrive ids"
    static let usage = """
        Usage: ringlog trace --config FILE CALL-ID

        Shows, from the outbox in state_dir, each call with this SIP Call-ID: when it was queued, the
        call itself, its state and attempts, the last error, to whom it was matched and why, and the
        Pipedrive ids written.

        Options:
          --config FILE   the tenant configuration (JSON)
          -h, --help      show this help
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["config"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        guard let path = scanner.values["config"] else { throw UsageError("--config FILE is required") }
        guard scanner.positionals.count == 1, let callID = scanner.positionals.first else {
            throw UsageError("trace needs exactly one CALL-ID")
        }
        let configuration = try ConfigurationLoader().load(path: path)
        let text = try await StatusReader(stateDirectory: configuration.stateDirectory).trace(callID: callID)
        StandardStreams.writeOutput(text + "\n")
        return .success
    }
}
