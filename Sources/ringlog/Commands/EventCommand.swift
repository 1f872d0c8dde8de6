import Foundation
import RinglogAgent
import RinglogCore
import RinglogEvents
import RinglogStore

#if canImport(Glibc)
    import Glibc
#endif

/// `ringlog event add --config FILE`: contact events (JSON Lines) on stdin into the outbox.
enum EventCommand: RinglogCommand {
    static let name = "event"
    static let summary = "queue chat and ticket events read from stdin (JSON Lines)"
    static let usage = """
        Usage: ringlog event add --config FILE < EVENTS.jsonl

        Reads contact events, one JSON object per line (schema: docs/events.md), and queues each
        valid one for the next batch, exactly as files dropped into the spool directory are.
        An event already queued (same kind and id) is a duplicate and changes nothing. Refused
        lines are appended to events.rejected_file with their reason, and listed here.

        Prints: accepted, duplicates, rejected (with the line numbers and reasons).

        Exit status: 0 when every line was accepted or a duplicate, 65 when any line was refused,
        78 when the configuration is wrong, 64 on a usage error.

        Options:
          --config FILE   the tenant configuration (JSON), e.g. /etc/ringlog/acme.json
          -h, --help      show this help
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["config"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        guard let action = scanner.positionals.first else { throw UsageError("say what to do: 'ringlog event add'") }
        guard action == "add" else { throw UsageError("unknown action '\(action)'; the action is 'add'") }
        if let extra = scanner.positionals.dropFirst().first {
            throw UsageError("event add reads standard input and takes no file argument ('\(extra)'); use < \(extra)")
        }
        guard let path = scanner.values["config"] else { throw UsageError("--config FILE is required") }
        let configuration = try ConfigurationLoader().load(path: path)
        let outbox = try Outbox(directory: configuration.stateDirectory)
        let intake = EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: configuration.events.rejectedFile))
        let clock = SystemEventClock()
        let summary = try await intake.ingest(
            fileDescriptor: STDIN_FILENO, origin: "stdin", now: { clock.now() })
        StandardStreams.writeOutput(summary.text + "\n")
        if summary.rejected > 0 {
            StandardStreams.writeError(
                "ringlog event: \(summary.rejected) line(s) refused; see \(configuration.events.rejectedFile)\n")
            return .dataError
        }
        return .success
    }
}
