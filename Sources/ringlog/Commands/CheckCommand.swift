import Foundation
import RinglogAgent
import RinglogCore

/// `ringlog check --config FILE`: validates a tenant configuration and what can be checked around it.
enum CheckCommand: RinglogCommand {
    static let name = "check"
    static let summary = "validate a tenant configuration"
    static let usage = """
        Usage: ringlog check --config FILE [--offline]

        Reads the tenant configuration FILE, validates every key and the files it names (credential
        files must be readable by their owner only), then checks that Pipedrive answers with these
        credentials, that every configured e-mail has an active Pipedrive user, that the activity
        types of events.activity_types exist and are active (GET /v1/activityTypes), and, with the HEP
        source, that the HEP port can be bound. Extensions that made calls (in the state directory's
        outbox) but are not in "users" are listed too, also with --offline. Reports one line per check:
        ok, warn or error. Secrets are never printed.

        Exit status: 0 when nothing is an error, 69 when Pipedrive cannot be reached (use --offline
        where it cannot be), 78 when the configuration is wrong (also an unknown or inactive activity
        type), 64 on a usage error.

        Options:
          --config FILE   the tenant configuration (JSON), e.g. /etc/ringlog/acme.json
          --offline       skip the Pipedrive and HEP port checks
          -h, --help      show this help
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["config"], flagOptions: ["offline"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        if let extra = scanner.positionals.first { throw UsageError("unexpected argument '\(extra)'") }
        guard let path = scanner.values["config"] else { throw UsageError("--config FILE is required") }
        let configuration = try ConfigurationLoader().load(path: path)
        let report = ConfigurationReport(configuration: configuration)
        StandardStreams.writeOutput(report.text + "\n")
        if report.hasErrors { return .configuration }
        let seen = SeenExtensionsCheck.run(configuration)
        guard !scanner.flags.contains("offline") else {
            write(seen)
            return .success
        }
        let online = await OnlineChecks.run(configuration, path: path)
        write(seen + online)
        let errors = online.filter { $0.severity == .error }
        if errors.contains(where: { $0.subject == "pipedrive" }) { return .unavailable }
        return errors.isEmpty ? .success : .configuration
    }

    private static func write(_ findings: [ConfigurationReport.Finding]) {
        for finding in findings {
            let label = finding.severity.rawValue.padded(toWidth: 6)
            StandardStreams.writeOutput("\(label)\(finding.subject): \(finding.detail)\n")
        }
    }
}
