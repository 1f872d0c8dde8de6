import Foundation
import RinglogCore

/// The part of a tenant configuration file that Pipedrive authorisation needs.
///
/// Reads JSON of the form
/// ```json
/// {"tenant": "acme", "state_dir": "/var/lib/ringlog/acme",
///  "pipedrive": {"base_url": "https://acme.pipedrive.com",
///                "oauth": {"client_id": "…", "client_secret_file": "/etc/ringlog/acme.secret",
///                          "redirect_uri": "https://…/callback"}}}
/// ```
/// `client_secret` may be given inline instead of `client_secret_file`; `authorize_url` and `token_url`
/// default to Pipedrive's OAuth server. Relative paths are relative to the configuration file.
/// `description` never shows the client secret.
public struct PipedriveAuthSettings: Sendable, Equatable, CustomStringConvertible {
    /// A configuration problem, with the exit code for bad configuration (78).
    public struct Failure: CommandFailure, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong and how to fix it.
        public var message: String
        /// Always ``ExitCode/configuration``.
        public var exitCode: ExitCode { .configuration }
        /// Same as ``message``.
        public var description: String { message }

        init(_ message: String) { self.message = message }
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

    /// Reads the settings from a configuration file.
    /// - Throws: ``Failure`` naming the file and the missing or wrong key.
    public static func load(configFile path: String) throws(Failure) -> PipedriveAuthSettings {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure("cannot read the configuration file \(path); check the path and its permissions")
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(data, source: path, baseDirectory: directory.isEmpty ? "." : directory)
    }

    /// Parses configuration JSON; `source` names it in messages, `baseDirectory` anchors relative paths.
    public static func parse(_ data: Data, source: String, baseDirectory: String) throws(Failure)
        -> PipedriveAuthSettings
    {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Failure("\(source) must hold a JSON object")
            }
            object = parsed
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(source) is not valid JSON")
        }
        func string(_ dictionary: [String: Any], _ key: String, path: String, required: Bool = true) throws(Failure)
            -> String?
        {
            guard let value = dictionary[key] else {
                if required { throw Failure("\(source): '\(path)' is missing") }
                return nil
            }
            guard let text = value as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Failure("\(source): '\(path)' must be a non-empty string")
            }
            return text
        }
        func url(_ text: String?, path: String) throws(Failure) -> URL? {
            guard let text else { return nil }
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https",
                url.host != nil
            else { throw Failure("\(source): '\(path)' must be an http(s) URL, not '\(text)'") }
            return url
        }
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : (baseDirectory as NSString).appendingPathComponent(file)
        }

        let tenant = try string(object, "tenant", path: "tenant", required: false)
        guard let stateDirectory = try string(object, "state_dir", path: "state_dir") else {
            throw Failure("\(source): 'state_dir' is missing")
        }
        guard let pipedrive = object["pipedrive"] as? [String: Any] else {
            throw Failure("\(source): the 'pipedrive' object is missing")
        }
        let baseURL = try url(
            string(pipedrive, "base_url", path: "pipedrive.base_url", required: false),
            path: "pipedrive.base_url")
        guard let oauth = pipedrive["oauth"] as? [String: Any] else {
            throw Failure("\(source): 'pipedrive.oauth' is missing; 'ringlog auth' needs the OAuth app's settings")
        }
        guard let clientID = try string(oauth, "client_id", path: "pipedrive.oauth.client_id"),
            let redirectURI = try string(oauth, "redirect_uri", path: "pipedrive.oauth.redirect_uri")
        else { throw Failure("\(source): 'pipedrive.oauth' is incomplete") }
        let inlineSecret = try string(oauth, "client_secret", path: "pipedrive.oauth.client_secret", required: false)
        let secretFile = try string(
            oauth, "client_secret_file", path: "pipedrive.oauth.client_secret_file", required: false)
        let clientSecret: String
        switch (inlineSecret, secretFile) {
        case (let secret?, nil):
            clientSecret = secret
        case (nil, let file?):
            let resolved = resolve(file)
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw Failure("cannot read the client secret file \(resolved) named in \(source)")
            }
            clientSecret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !clientSecret.isEmpty else { throw Failure("the client secret file \(resolved) is empty") }
        case (.some, .some):
            throw Failure("\(source): give either 'client_secret' or 'client_secret_file', not both")
        case (nil, nil):
            throw Failure("\(source): 'pipedrive.oauth.client_secret_file' (or 'client_secret') is missing")
        }
        let authorizeURL =
            try url(
                string(oauth, "authorize_url", path: "pipedrive.oauth.authorize_url", required: false),
                path: "pipedrive.oauth.authorize_url") ?? OAuthClientCredentials.defaultAuthorizeURL
        let tokenURL =
            try url(
                string(oauth, "token_url", path: "pipedrive.oauth.token_url", required: false),
                path: "pipedrive.oauth.token_url") ?? OAuthClientCredentials.defaultTokenURL
        return PipedriveAuthSettings(
            tenant: tenant, stateDirectory: resolve(stateDirectory), baseURL: baseURL,
            oauth: OAuthClientCredentials(
                clientID: clientID, clientSecret: clientSecret, redirectURI: redirectURI, authorizeURL: authorizeURL,
                tokenURL: tokenURL))
    }

    /// A summary without the client secret.
    public var description: String {
        "PipedriveAuthSettings(tenant \(tenant ?? "-"), state_dir \(stateDirectory), "
            + "base_url \(baseURL?.absoluteString ?? "-"), \(oauth))"
    }
}
