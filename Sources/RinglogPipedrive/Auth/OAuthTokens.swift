import Foundation

/// The OAuth tokens for one Pipedrive company, as stored in the tokens file.
///
/// `description` never shows the tokens themselves.
public struct OAuthTokens: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The bearer token for API calls (about an hour long).
    public var accessToken: String
    /// The token that gets new access tokens; it lapses after 60 days without use.
    public var refreshToken: String
    /// When the access token expires, from `expires_in` (whole seconds).
    public var expiresAt: Date
    /// When the refresh token was last used (or issued): the start of its 60-day inactivity window.
    public var refreshedAt: Date
    /// The company's API base URL, e.g. `https://acme.pipedrive.com`.
    public var apiDomain: URL?
    /// The granted scopes, comma-separated as Pipedrive sends them.
    public var scope: String?

    /// Creates a token set.
    public init(
        accessToken: String, refreshToken: String, expiresAt: Date, refreshedAt: Date, apiDomain: URL? = nil,
        scope: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        // Whole seconds: the file stores RFC 3339 without fractions, so a round trip stays equal.
        self.expiresAt = Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down))
        self.refreshedAt = Date(timeIntervalSince1970: refreshedAt.timeIntervalSince1970.rounded(.down))
        self.apiDomain = apiDomain
        self.scope = scope
    }

    private enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresAt = "expires_at"
        case refreshedAt = "refreshed_at"
        case apiDomain = "api_domain"
        case scope
    }

    /// Reads the stored form: times as RFC 3339 strings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accessToken = try container.decode(String.self, forKey: .accessToken)
        refreshToken = try container.decode(String.self, forKey: .refreshToken)
        expiresAt = try Self.decodeDate(container, .expiresAt)
        refreshedAt = try Self.decodeDate(container, .refreshedAt)
        apiDomain = try container.decodeIfPresent(String.self, forKey: .apiDomain).flatMap { URL(string: $0) }
        scope = try container.decodeIfPresent(String.self, forKey: .scope)
    }

    /// Writes the stored form: times as RFC 3339 strings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accessToken, forKey: .accessToken)
        try container.encode(refreshToken, forKey: .refreshToken)
        try container.encode(PipedriveTimestamp.rfc3339(expiresAt), forKey: .expiresAt)
        try container.encode(PipedriveTimestamp.rfc3339(refreshedAt), forKey: .refreshedAt)
        try container.encodeIfPresent(apiDomain?.absoluteString, forKey: .apiDomain)
        try container.encodeIfPresent(scope, forKey: .scope)
    }

    private static func decodeDate(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date {
        let text = try container.decode(String.self, forKey: key)
        guard let date = PipedriveTimestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a timestamp")
        }
        return date
    }

    /// A summary without secrets.
    public var description: String {
        "OAuthTokens(access token expires \(PipedriveTimestamp.rfc3339(expiresAt)), "
            + "refreshed \(PipedriveTimestamp.rfc3339(refreshedAt)), api_domain \(apiDomain?.absoluteString ?? "-"))"
    }
}
