import RinglogAgent
import RinglogCore

/// `ringlog run --config FILE`: the daemon.
enum RunCommand: RinglogCommand {
    static let name = "run"
    static let summary = "run the daemon: HEP in, call logs out to Pipedrive"
    static let usage = """
        Usage: ringlog run --config FILE [--replay CAPTURE]... [--dry-run]

        Listens for HEP from the PBX (hep.listen), follows every call, queues each finished call durably
        in the outbox under state_dir, and writes it to Pipedrive as a call log, exactly once.
        SIGTERM/SIGINT stop intake, finish in-flight writes (10 s at most) and exit 0; SIGHUP re-reads
        the configuration. Logs go to standard error with syslog priority prefixes. See docs/daemon.md.

        Options:
          --config FILE      the tenant configuration (JSON)
          --replay CAPTURE   feed a capture (pcap, pcapng or raw HEP) through the same pipeline instead of
                             listening, write every call, then exit (repeatable)
          --dry-run          print the call logs that would be written (JSON Lines); write nothing
          -h, --help         show this help

        Exit status: 0 after a clean stop, 64 usage, 66 unreadable capture, 69 the HEP port is taken,
        73 the state directory is not writable, 78 bad configuration.
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(
            arguments, valueOptions: ["config"], repeatable: ["replay"], flagOptions: ["dry-run"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        if let extra = scanner.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        guard let path = scanner.values["config"] else { throw UsageError("--config FILE is required") }
        try await Daemon.run(
            Daemon.Options(
                configurationPath: path, replayFiles: scanner.repeatedValues["replay"] ?? [],
                dryRun: scanner.flags.contains("dry-run")))
        return .success
    }
}
