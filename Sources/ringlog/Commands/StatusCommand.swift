import Foundation
import RinglogAgent
import RinglogCore

/// `ringlog status --config FILE`: what was seen, written, pending or failing.
enum StatusCommand: RinglogCommand {
    static let name = "status"
    static let summary = "show calls seen, logged, pending and failed, auth state and tokens spent"
    static let usage = """
        Usage: ringlog status --config FILE [--prometheus FILE]

        Reads the outbox and the daemon's status snapshot in state_dir; works while the daemon runs and
        when it is stopped. Shows calls seen, logged, pending, failed (with reasons) and skipped, the last
        error, the Pipedrive authorisation, tokens spent per endpoint and unmapped extensions.

        Options:
          --config FILE       the tenant configuration (JSON)
          --prometheus FILE   also write the figures in Prometheus text format to FILE (atomically), for
                              node_exporter's textfile collector
          -h, --help          show this help
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["config", "prometheus"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        if let extra = scanner.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        guard let path = scanner.values["config"] else { throw UsageError("--config FILE is required") }
        let configuration = try ConfigurationLoader().load(path: path)
        let status = try await StatusReader(stateDirectory: configuration.stateDirectory).status()
        StandardStreams.writeOutput(status.text + "\n")
        if let target = scanner.values["prometheus"] {
            let temporary = target + ".tmp"
            do {
                try Data(status.prometheusText.utf8).write(to: URL(fileURLWithPath: temporary))
            } catch {
                throw DaemonFailure("cannot write \(temporary): \(error)", exitCode: .cannotCreate)
            }
            guard rename(temporary, target) == 0 else {
                throw DaemonFailure(
                    "cannot move \(temporary) to \(target): \(String(cString: strerror(errno)))",
                    exitCode: .cannotCreate)
            }
        }
        return .success
    }
}
