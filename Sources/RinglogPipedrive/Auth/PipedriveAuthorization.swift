import Foundation
import RinglogCore

/// The steps of `ringlog auth`: the authorize URL, reading the pasted redirect, exchanging the code,
/// storing the tokens and asking Pipedrive who authorised.
public enum PipedriveAuthorization {
    /// Why authorisation failed, with the exit code the CLI returns.
    public enum Failure: CommandFailure, Equatable, Sendable, CustomStringConvertible {
        /// The pasted text holds no code (exit 65).
        case noCode(String)
        /// The redirect's `state` is not the one ringlog sent (exit 65).
        case stateMismatch
        /// The user declined in Pipedrive (exit 77).
        case denied(String)
        /// Pipedrive refused the code or the client credentials (exit 77).
        case refused(String)
        /// Pipedrive could not be reached or had a problem (exit 69).
        case unreachable(String)
        /// The tokens could not be stored (exit 73).
        case cannotStore(String)

        /// What went wrong and what to do.
        public var message: String {
            switch self {
            case .noCode(let detail):
                "no authorisation code found in what was pasted (\(detail)); paste the whole address the "
                    + "browser was sent to after approving, or just the value of its code parameter"
            case .stateMismatch:
                "the pasted address belongs to a different authorisation attempt (its state does not match); "
                    + "open the URL printed by this run and paste the address it leads to"
            case .denied(let reason):
                "Pipedrive reports that the authorisation was not granted (\(reason)); approve the app and try again"
            case .refused(let reason):
                "Pipedrive refused the authorisation (\(reason)). Codes are valid for 5 minutes and only once; "
                    + "check client_id, the client secret and redirect_uri, then run 'ringlog auth' again"
            case .unreachable(let reason):
                "Pipedrive could not be reached (\(reason)); check the network and the OAuth URLs, then try again"
            case .cannotStore(let reason):
                "the tokens could not be stored: \(reason)"
            }
        }

        /// The sysexits code.
        public var exitCode: ExitCode {
            switch self {
            case .noCode, .stateMismatch: .dataError
            case .denied, .refused: .noPermission
            case .unreachable: .unavailable
            case .cannotStore: .cannotCreate
            }
        }

        /// Same as ``message``.
        public var description: String { message }
    }

    /// A fresh random `state` value for one authorisation attempt.
    public static func makeState() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// Extracts the code from a pasted redirect URL (`…?code=…&state=…`) or a bare code.
    /// - Parameter expectedState: the state this attempt sent; `nil` skips the check (bare `--code`).
    public static func code(fromPasted input: String, expectedState: String?) throws(Failure) -> String {
        let text = input.trimmingWhitespace(includingLineEnds: true)
        guard !text.isEmpty else { throw Failure.noCode("the input was empty") }
        let looksLikeURL =
            text.firstRange(of: "://") != nil || text.hasPrefix("?") || text.firstRange(of: "code=") != nil
            || text.firstRange(of: "error=") != nil
        guard looksLikeURL else {
            guard !text.contains(where: { $0.isWhitespace || $0 == "&" || $0 == "?" }) else {
                throw Failure.noCode("it is neither an address nor a single code")
            }
            return text
        }
        let query = text.firstIndex(of: "?").map { String(text[text.index(after: $0)...]) } ?? text
        var components = URLComponents()
        components.percentEncodedQuery = query.split(separator: "#", maxSplits: 1).first.map(String.init) ?? query
        let items = components.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        if let error = value("error") {
            throw Failure.denied(error)
        }
        if let expectedState, value("state") != expectedState {
            throw Failure.stateMismatch
        }
        guard let code = value("code"), !code.isEmpty else {
            throw Failure.noCode("the address has no code parameter")
        }
        return code
    }

    /// Exchanges `code`, stores the tokens in the settings' tokens file and fetches the authorising user.
    /// - Returns: the stored tokens and the user who authorised.
    public static func complete(
        code: String, settings: PipedriveAuthSettings, transport: any HTTPTransport,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws(Failure) -> (OAuthTokens, PipedriveUser) {
        let oauth = OAuthClient(credentials: settings.oauth, transport: transport, now: now)
        let tokens: OAuthTokens
        do {
            tokens = try await oauth.exchange(code: code)
        } catch let error as PipedriveError {
            switch error {
            case .oauthRefused(let message), .unexpectedResponse(_, let message): throw Failure.refused(message)
            case .transport(let failure): throw Failure.unreachable(failure.description)
            case .serverError(let status, let message): throw Failure.unreachable("HTTP \(status): \(message)")
            default: throw Failure.unreachable(error.description)
            }
        } catch {
            throw Failure.unreachable(String(describing: type(of: error)))
        }
        try createStateDirectory(settings.stateDirectory)
        let store = TokenStore(file: settings.tokenFile, now: now) { refreshToken in
            try await oauth.refresh(refreshToken: refreshToken)
        }
        do {
            try await store.store(tokens)
        } catch {
            throw Failure.cannotStore(error.description)
        }
        guard let baseURL = settings.baseURL ?? tokens.apiDomain else {
            throw Failure.refused("the token response has no api_domain and the configuration no pipedrive.base_url")
        }
        let client = PipedriveClient(
            configuration: .init(baseURL: baseURL), credentials: .oauth(store), transport: transport, now: now)
        do {
            return (tokens, try await client.currentUser())
        } catch let error as PipedriveError where error.isRetryable {
            throw Failure.unreachable("the tokens are stored, but asking who authorised failed: \(error)")
        } catch {
            throw Failure.refused("the tokens are stored, but Pipedrive refused to say who authorised: \(error)")
        }
    }

    private static func createStateDirectory(_ path: String) throws(Failure) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure.cannotStore("cannot create the state directory \(path)")
        }
    }
}
