import Foundation
import RinglogAgent
import RinglogCore
import RinglogPipedrive

/// `ringlog auth`: authorises ringlog in Pipedrive with OAuth and stores the tokens.
enum AuthCommand: RinglogCommand {
    static let name = "auth"
    static let summary = "authorise ringlog in Pipedrive (OAuth) and store the tokens"
    static let usage = """
        Usage: ringlog auth --config FILE [--code CODE_OR_URL [--state STATE]]

        Prints the Pipedrive authorisation URL. Open it in a browser, approve the app, and paste the
        address the browser is sent to (or just its code) back here. ringlog exchanges the code for
        tokens, stores them in <state_dir>/oauth-tokens.json (mode 0600) and shows who authorised.
        A running agent picks the new tokens up by itself and sends what it queued meanwhile.

        Options:
          --config FILE         the tenant configuration (JSON with state_dir and pipedrive.oauth)
          --code CODE_OR_URL    use this code (or redirect address) instead of asking; codes are
                                valid for 5 minutes and only once
          --state STATE         with --code: the state the authorisation URL was made with, checked
                                against the redirect address
          -h, --help            show this help

        Exit codes: 0 authorised, 64 wrong command line, 65 nothing usable pasted or state mismatch,
        69 Pipedrive unreachable, 73 tokens could not be stored, 77 Pipedrive refused, 78 bad configuration.
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["config", "code", "state"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        if let extra = scanner.positionals.first { throw UsageError("auth takes no argument '\(extra)'") }
        guard let configPath = scanner.values["config"] else { throw UsageError("--config FILE is required") }
        if scanner.values["state"] != nil, scanner.values["code"] == nil {
            throw UsageError("--state only makes sense together with --code")
        }
        let loader = ConfigurationLoader()
        let configuration = try loader.load(path: configPath)
        guard case .oauth(let oauth) = configuration.pipedrive.credentials else {
            throw PipedriveAuthSettings.Failure(
                "\(configPath): tenant \(configuration.tenant) uses a personal API token, which needs no "
                    + "authorisation; 'ringlog auth' is for an OAuth app (pipedrive.oauth)")
        }
        let settings = try PipedriveAuthSettings(
            configuration: configuration,
            clientSecret: try loader.secret(
                oauth.clientSecret, key: "pipedrive.oauth.client_secret", configurationPath: configPath))
        let code: String
        if let given = scanner.values["code"] {
            code = try PipedriveAuthorization.code(fromPasted: given, expectedState: scanner.values["state"])
        } else {
            let state = PipedriveAuthorization.makeState()
            StandardStreams.writeOutput(
                """
                Open this address in a browser and approve the app:

                  \(settings.oauth.authorizationURL(state: state).absoluteString)

                Then paste the address the browser was sent to (or just its code) and press Enter:

                """)
            guard let line = readLine(strippingNewline: true) else {
                throw PipedriveAuthorization.Failure.noCode("standard input ended before anything was pasted")
            }
            code = try PipedriveAuthorization.code(fromPasted: line, expectedState: state)
        }
        let (tokens, user) = try await PipedriveAuthorization.complete(
            code: code, settings: settings, transport: SocketHTTPTransport.shared)
        let company = [user.companyName, user.companyDomain.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        StandardStreams.writeOutput(
            """
            Authorised as \(user.name)\(user.email.map { " <\($0)>" } ?? "")\(company.isEmpty ? "" : " in \(company)").
            Tokens stored in \(settings.tokenFile.path); the access token expires \
            \(PipedriveTimestamp.rfc3339(tokens.expiresAt)) and is refreshed automatically.

            """)
        return .success
    }
}
