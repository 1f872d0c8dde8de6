import Foundation
import RinglogAgent
import RinglogCore
import RinglogEvents
import RinglogPipedrive
import RinglogStore

/// `ringlog flush --config FILE`: one batch of chat and ticket events now.
enum FlushCommand: RinglogCommand {
    static let name = "flush"
    static let summary = "write queued chat and ticket events to Pipedrive now (one batch)"
    static let usage = """
        Usage: ringlog flush --config FILE

        Takes in the files waiting in events.spool_dir, then runs one batch: every due chat and
        ticket event in the outbox becomes a done Pipedrive activity, paced to stay inside
        Pipedrive's burst limits (see docs/events.md). Contacts are matched with the contact
        directory in state_dir, which the daemon keeps up to date; with an empty directory
        nothing is sent.

        Prints: created, already in Pipedrive, skipped, failed, retry later, pending.

        Exit status: 0 when the batch ran and nothing waits for a retry, 75 when some events failed
        for now (they are retried by the next batch) or the directory is empty, 78 when the
        configuration is wrong, 64 on a usage error.

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
        if let extra = scanner.positionals.first { throw UsageError("flush takes no argument '\(extra)'") }
        guard let path = scanner.values["config"] else { throw UsageError("--config FILE is required") }
        let loader = ConfigurationLoader()
        let configuration = try loader.load(path: path)
        let client = try makeClient(configuration, loader: loader, path: path)
        let state = configuration.stateDirectory
        let normalizer = PhoneNumberNormalizer(
            region: configuration.region, outsideLinePrefix: configuration.site.outsideLinePrefix)
        let directory = try Directory(directory: state, normalizer: normalizer)
        guard await directory.size.persons > 0 else {
            throw FlushFailure.emptyDirectory(state)
        }
        let outbox = try Outbox(directory: state)
        let clock = SystemEventClock()
        let intake = EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: configuration.events.rejectedFile))
        let taken = try await SpoolDirectory(path: configuration.events.spoolDirectory).drain(
            into: intake, now: { clock.now() })
        if taken.accepted + taken.duplicates + taken.rejected > 0 {
            StandardStreams.writeOutput("spool: \(taken.text.replacing("\n", with: "\n  "))\n")
        }
        let flusher = EventFlusher(
            dependencies: .init(
                outbox: outbox, journal: try EventSendJournal(directory: state),
                writer: PipedriveActivityWriter(client: client), contacts: DirectoryContactLookup(directory: directory),
                users: PipedriveUserLookup(client: client, clock: clock), clock: clock),
            settings: configuration.events, unmappedAgent: configuration.policy.unmappedExtension,
            normalizer: normalizer)
        let report = try await flusher.flush()
        StandardStreams.writeOutput(report.text + "\n")
        return report.retried > 0 ? .temporaryFailure : .success
    }

    private static func makeClient(_ configuration: TenantConfiguration, loader: ConfigurationLoader, path: String)
        throws -> PipedriveClient
    {
        switch configuration.pipedrive.credentials {
        case .apiToken(let source):
            let token = try loader.secret(source, key: "pipedrive.api_token", configurationPath: path)
            guard let baseURL = URL(string: configuration.pipedrive.baseURL) else {
                throw ConfigurationLoadError(path: path, "pipedrive.base_url is not a URL")
            }
            return PipedriveClient(
                configuration: .init(baseURL: baseURL), credentials: .apiToken(token.value),
                transport: SocketHTTPTransport.shared)
        case .oauth(let oauth):
            let settings = try PipedriveAuthSettings(
                configuration: configuration,
                clientSecret: try loader.secret(
                    oauth.clientSecret, key: "pipedrive.oauth.client_secret", configurationPath: path))
            return try PipedriveClient.make(settings: settings)
        }
    }
}

/// Why `ringlog flush` did not run a batch.
enum FlushFailure: CommandFailure {
    /// The contact directory has never been synchronised.
    case emptyDirectory(String)

    var message: String {
        switch self {
        case .emptyDirectory(let state):
            "the contact directory in \(state) is empty, so no event could be matched to a person; start the "
                + "daemon (it synchronises the directory from Pipedrive) and flush again"
        }
    }

    var exitCode: ExitCode { .temporaryFailure }
}
