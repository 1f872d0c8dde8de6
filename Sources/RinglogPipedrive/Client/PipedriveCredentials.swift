/// How ringlog proves who it is to Pipedrive.
///
/// `description` never shows a token.
public enum PipedriveCredentials: Sendable, CustomStringConvertible {
    /// A personal API token, sent in the `x-api-token` header.
    case apiToken(String)
    /// OAuth 2.0 bearer tokens, refreshed by the store.
    case oauth(TokenStore)

    /// The kind of credentials, without the secret.
    public var description: String {
        switch self {
        case .apiToken: "API token [redacted]"
        case .oauth(let store): "OAuth tokens in \(store.file.path)"
        }
    }
}
