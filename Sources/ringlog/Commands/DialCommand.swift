import Foundation
import RinglogAgent
import RinglogCore
import RinglogSIP

/// `ringlog dial URI`: click-to-call. Rings the user's own phone, then sends it to the number.
enum DialCommand: RinglogCommand {
    static let name = "dial"
    static let summary = "ring your phone, then connect it to a number (click-to-call)"
    static let usage = """
        Usage: ringlog dial [--config FILE] [--from EXTENSION] [--answer-timeout SECONDS] URI

        Calls your own phone (extension) through the PBX, with auto-answer hints; when you answer,
        the PBX transfers your phone to URI (a REFER), and ringlog hangs up its own leg.

        URI is a tel:, callto: or sip: link or a bare number: tel:+358401234567,
        callto:0401234567, sip:0401234567@pbx, "+358 40 123 4567". It is normalised like caller
        numbers (region, outside-line prefix) and dialled as the configuration's sip.dial_format
        asks; a number matching the extension pattern is dialled as it is.

        Configuration:
          on the PBX host     --config /etc/ringlog/TENANT.json --from 1001 (the tenant file's sip block)
          on a desktop        ~/.config/ringlog/dial.json (or --config FILE): its sip block and
                              "extension" say who you are; --from overrides the extension

        Exit status:
          0   your phone answered and the PBX accepted the transfer
          64  usage error
          65  URI is not a phone number
          68  the PBX host name does not resolve
          69  the PBX is unreachable (no answer at sip.server)
          75  your phone did not answer (rang out, busy, declined or not registered)
          76  the PBX refused the REFER (the transfer to the number)
          77  authentication failed (the PBX refused sip.username / password)
          78  configuration error (file, keys, unknown extension)

        Options:
          --config FILE              tenant file or per-user dial file (default ~/.config/ringlog/dial.json)
          --from EXTENSION           your extension (required with a tenant file)
          --answer-timeout SECONDS   how long your phone may ring (default sip.answer_timeout_seconds, 30)
          -h, --help                 show this help
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["config", "from", "answer-timeout"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        guard let uri = scanner.positionals.first else { throw UsageError("give the number or tel: link to call") }
        if scanner.positionals.count > 1 {
            throw UsageError("give one number; quote it if it has spaces (\"+358 40 123 4567\")")
        }
        var answerTimeout: Int?
        if let text = scanner.values["answer-timeout"] {
            guard let seconds = Int(text), (1...600).contains(seconds) else {
                throw UsageError("--answer-timeout needs whole seconds from 1 to 600, not '\(text)'")
            }
            answerTimeout = seconds
        }
        let (setup, path) = try loadSetup(configPath: scanner.values["config"], from: scanner.values["from"])
        let target = try setup.plan.target(for: uri)
        let sip = setup.sip

        let server: SIPServerAddress
        do {
            server = try await SIPServerAddress.resolve(host: sip.server.address, port: sip.server.port)
        } catch {
            switch error {
            case .unknownHost(let host, let reason): throw DialFailure.unknownHost(host, reason: reason)
            case .noRoute: throw DialFailure.unreachable(server: sip.server.description)
            }
        }
        let password = try ConfigurationLoader().secret(sip.password, key: "sip.password", configurationPath: path)
        let agent = try await SIPUserAgent(
            configuration: SIPUserAgentConfiguration(
                account: SIPAccount(username: sip.username, password: password.value, domain: sip.domain),
                localAddress: sip.localAddress ?? server.localIP, localPort: sip.localPort,
                outboundProxy: server.outboundProxy))
        let timeout = answerTimeout ?? sip.answerTimeoutSeconds
        StandardStreams.writeError("ringlog dial: ringing extension \(setup.fromExtension) for \(target.dialString)\n")
        let result: Result<ThirdPartyCallResult, ThirdPartyCallError>
        do {
            result = .success(
                try await agent.placeThirdPartyCall(
                    ThirdPartyCallRequest(
                        phoneURI: setup.extensionURI, targetURI: target.sipURI(domain: sip.domain),
                        extraHeaders: sip.resolvedAutoAnswerHeaders, answerTimeout: .seconds(timeout))))
        } catch {
            result = .failure(error)
        }
        await agent.shutdown()
        switch result {
        case .success(let call):
            StandardStreams.writeOutput(
                "connected extension \(setup.fromExtension) to \(target.dialString) "
                    + "(the PBX accepted the transfer: \(call.referStatusCode))\n")
            return .success
        case .failure(let error):
            throw failure(for: error, setup: setup, target: target, timeout: timeout)
        }
    }

    /// The tenant file (with `--from`) or the per-user desktop file, and its path.
    private static func loadSetup(configPath: String?, from: String?) throws -> (DialSetup, String) {
        if let from, !from.isSIPUserName { throw UsageError("--from needs an extension such as 1001, not '\(from)'") }
        guard let path = configPath ?? DesktopDialConfigurationLoader.defaultPath() else {
            throw UsageError("--config FILE is required when HOME is not set")
        }
        if isTenantFile(path) {
            guard let from else {
                throw UsageError("--from EXTENSION is required with a tenant configuration (\(path))")
            }
            let tenant = try ConfigurationLoader().load(path: path)
            guard let setup = tenant.dialSetup(fromExtension: from) else {
                throw DialFailure.notConfigured(path: path)
            }
            return (setup, path)
        }
        var setup = try DesktopDialConfigurationLoader().load(path: path).dialSetup
        if let from { setup.fromExtension = from }
        return (setup, path)
    }

    /// Whether the file at `path` is a tenant configuration (it has a top-level `tenant` key).
    private static func isTenantFile(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
            case .object(let members)? = try? JSONValue(parsing: data)
        else { return false }
        return members["tenant"] != nil
    }

    private static func failure(
        for error: ThirdPartyCallError, setup: DialSetup, target: DialTarget, timeout: Int
    ) -> DialFailure {
        func status(_ code: Int, _ reason: String?) -> String { reason.map { "\(code) \($0)" } ?? "\(code)" }
        switch error {
        case .unreachable:
            return .unreachable(server: setup.sip.server.description)
        case .authenticationFailed(let code):
            return .authenticationFailed(username: setup.sip.username, statusCode: code)
        case .unknownExtension(let code, let reason):
            return .unknownExtension(setup.fromExtension, status: status(code, reason))
        case .notAnswered(let code, let reason):
            return .notAnswered(
                extension: setup.fromExtension, status: code.map { status($0, reason) }, timeoutSeconds: timeout)
        case .referRefused(let code, let reason):
            return .referRefused(target: target.dialString, status: code.map { status($0, reason) })
        case .failed, .agent:
            return .failed(error.description)
        }
    }
}
