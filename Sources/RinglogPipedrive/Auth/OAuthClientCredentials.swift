import Foundation

/// The registered OAuth app: who ringlog is when it asks Pipedrive for tokens.
///
/// `description` never shows the client secret.
public struct OAuthClientCredentials: Equatable, Sendable, CustomStringConvertible {
    /// The app's client id.
    public var clientID: String
    /// The app's client secret.
    public var clientSecret: String
    /// The callback URL registered for the app.
    public var redirectURI: String
    /// Where the user approves the app.
    public var authorizeURL: URL
    /// Where codes and refresh tokens are exchanged for tokens.
    public var tokenURL: URL

    /// Pipedrive's authorize endpoint.
    public static let defaultAuthorizeURL = URL(string: "https://oauth.pipedrive.com/oauth/authorize")!
    /// Pipedrive's token endpoint.
    public static let defaultTokenURL = URL(string: "https://oauth.pipedrive.com/oauth/token")!

    /// Creates the credentials; the URLs default to Pipedrive's OAuth server.
    public init(
        clientID: String, clientSecret: String, redirectURI: String, authorizeURL: URL = Self.defaultAuthorizeURL,
        tokenURL: URL = Self.defaultTokenURL
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
    }

    /// The URL the user opens to authorise ringlog; Pipedrive echoes `state` back in the redirect.
    public func authorizationURL(state: String) -> URL {
        guard var components = URLComponents(url: authorizeURL, resolvingAgainstBaseURL: false) else {
            return authorizeURL
        }
        // Encode every reserved character (URLComponents leaves ':' and '/' of the redirect URI as they are).
        let added = FormEncoding.encode([("client_id", clientID), ("redirect_uri", redirectURI), ("state", state)])
        let existing = components.percentEncodedQuery.map { $0.isEmpty ? "" : $0 + "&" } ?? ""
        components.percentEncodedQuery = existing + added
        return components.url ?? authorizeURL
    }

    /// The `Authorization: Basic` value for the token endpoint.
    var basicAuthorization: String {
        "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
    }

    /// A summary without the secret.
    public var description: String {
        "OAuthClientCredentials(client_id \(clientID), client_secret [redacted], redirect_uri \(redirectURI))"
    }
}
