import Foundation
import RinglogCore

/// The part of a tenant configuration that Pipedrive authorisation needs: the OAuth app and where the
/// tokens file lives. `description` never shows the client secret.
public struct PipedriveAuthSettings: Sendable, Equatable, CustomStringConvertible {
    /// A configuration problem, with the exit code for bad configuration (78).
    public struct Failure: CommandFailure, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong and how to fix it.
        public var message: String
        /// Always ``ExitCode/configuration``.
        public var exitCode: ExitCode { .configuration }
        /// Same as ``message``.
        public var description: String { message }

        /// Creates a failure with a message that says what to fix.
        public init(_ message: String) { self.message = message }
    }

    /// The tenant's name, when given.
    public var tenant: String?
    /// The directory for the tenant's state, including the tokens file.
    public var stateDirectory: String
    /// The company's API base URL, when given (else OAuth's `api_domain` is used).
    public var baseURL: URL?
    /// The OAuth app.
    public var oauth: OAuthClientCredentials

    /// Creates settings.
    public init(tenant: String? = nil, stateDirectory: String, baseURL: URL?, oauth: OAuthClientCredentials) {
        self.tenant = tenant
        self.stateDirectory = stateDirectory
        self.baseURL = baseURL
        self.oauth = oauth
    }

    /// The tenant's tokens file, `<state_dir>/oauth-tokens.json`.
    public var tokenFile: TokenFile { TokenFile(stateDirectory: stateDirectory) }

    /// The settings of a loaded tenant configuration, with its client secret already read.
    ///
    /// The configuration comes from `ConfigurationLoader`, which enforces the secret file rules.
    /// - Throws: ``Failure`` when the tenant has no OAuth app or a URL is not http(s).
    public init(configuration: TenantConfiguration, clientSecret: Secret) throws(Failure) {
        guard case .oauth(let oauth) = configuration.pipedrive.credentials else {
            throw Failure(
                "tenant \(configuration.tenant) uses a personal API token (pipedrive.api_token), which needs no "
                    + "authorisation; 'ringlog auth' is for an OAuth app: configure pipedrive.oauth instead")
        }
        func url(_ text: String, key: String) throws(Failure) -> URL {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else { throw Failure("\(key) must be an http(s) URL, not '\(text)'") }
            return url
        }
        self.init(
            tenant: configuration.tenant, stateDirectory: configuration.stateDirectory,
            baseURL: try url(configuration.pipedrive.baseURL, key: "pipedrive.base_url"),
            oauth: OAuthClientCredentials(
                clientID: oauth.clientID, clientSecret: clientSecret.value, redirectURI: oauth.redirectURI,
                authorizeURL: try url(oauth.authorizeURL, key: "pipedrive.oauth.authorize_url"),
                tokenURL: try url(oauth.tokenURL, key: "pipedrive.oauth.token_url")))
    }

    /// A summary without the client secret.
    public var description: String {
        "PipedriveAuthSettings(tenant \(tenant ?? "-"), state_dir \(stateDirectory), "
            + "base_url \(baseURL?.absoluteString ?? "-"), \(oauth))"
    }
}
