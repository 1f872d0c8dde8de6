import Foundation

/// Talks to Pipedrive's OAuth token endpoint: exchanges authorisation codes and refresh tokens.
///
/// Requests are form-encoded with HTTP Basic client authentication, as Pipedrive requires.
public struct OAuthClient: Sendable {
    /// The app's credentials and OAuth URLs.
    public let credentials: OAuthClientCredentials
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date

    /// Creates a client for the token endpoint.
    /// - Parameters:
    ///   - now: the wall clock, used to turn `expires_in` into an expiry time.
    public init(
        credentials: OAuthClientCredentials, transport: any HTTPTransport,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credentials = credentials
        self.transport = transport
        self.now = now
    }

    /// Exchanges an authorisation code (valid five minutes, once) for tokens.
    /// - Throws: ``PipedriveError/oauthRefused(message:)`` when Pipedrive refuses the code or the client,
    ///   ``PipedriveError/transport(_:)`` or ``PipedriveError/serverError(status:message:)`` when it is unreachable.
    public func exchange(code: String) async throws -> OAuthTokens {
        try await requestTokens(
            [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", credentials.redirectURI)],
            secret: code)
    }

    /// Gets a fresh access token with `refreshToken`; this also restarts the refresh token's 60-day window.
    /// - Throws: ``PipedriveError/needsReauthorization(reason:)`` when Pipedrive refuses the refresh token
    ///   (`invalid_grant`) or the client; retryable errors when it is unreachable.
    public func refresh(refreshToken: String) async throws -> OAuthTokens {
        do {
            return try await requestTokens(
                [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], secret: refreshToken)
        } catch PipedriveError.oauthRefused(let message) {
            throw PipedriveError.needsReauthorization(reason: message)
        } catch PipedriveError.unexpectedResponse(let status, let detail) {
            // An unreadable answer is the server's fault; the API call that needed the refresh must stay
            // retryable so that nothing queued is dropped.
            throw PipedriveError.serverError(status: status, message: "unreadable OAuth answer: \(detail)")
        }
    }

    private func requestTokens(_ fields: [(String, String)], secret: String) async throws -> OAuthTokens {
        var request = HTTPRequest(
            method: "POST", url: credentials.tokenURL, body: Data(FormEncoding.encode(fields).utf8))
        request.setHeader("Content-Type", "application/x-www-form-urlencoded")
        request.setHeader("Accept", "application/json")
        request.setHeader("Authorization", credentials.basicAuthorization)
        let started = now()
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let failure as TransportFailure {
            throw PipedriveError.transport(failure)
        }
        let data = response.body
        let status = response.status
        guard (200..<300).contains(status) else {
            let message = Self.errorMessage(data, redacting: [secret, credentials.clientSecret])
            switch status {
            case 400, 401, 403: throw PipedriveError.oauthRefused(message: message)
            case 429, 500...599: throw PipedriveError.serverError(status: status, message: message)
            default: throw PipedriveError.unexpectedResponse(status: status, detail: message)
            }
        }
        guard let body = try? JSONDecoder().decode(TokenResponse.self, from: data) else {
            throw PipedriveError.unexpectedResponse(
                status: status, detail: "the token response is not the expected JSON")
        }
        guard body.tokenType.map({ $0.lowercased() == "bearer" }) ?? true else {
            throw PipedriveError.unexpectedResponse(status: status, detail: "token type is not bearer")
        }
        let refreshToken = body.refreshToken ?? fields.first { $0.0 == "refresh_token" }?.1
        guard let refreshToken else {
            throw PipedriveError.unexpectedResponse(status: status, detail: "the token response has no refresh token")
        }
        return OAuthTokens(
            accessToken: body.accessToken, refreshToken: refreshToken,
            expiresAt: started.addingTimeInterval(Double(body.expiresIn ?? 3600)), refreshedAt: started,
            apiDomain: body.apiDomain.flatMap { URL(string: $0) }, scope: body.scope)
    }

    /// The readable part of an OAuth error body (`error_description`, `message`, `error`), without secrets.
    static func errorMessage(_ data: Data, redacting secrets: [String]) -> String {
        var message: String
        if let body = try? JSONDecoder().decode(OAuthErrorBody.self, from: data) {
            message = [body.error, body.errorDescription ?? body.message].compactMap { $0 }.joined(separator: ": ")
        } else {
            message = String(decoding: data.prefix(200), as: UTF8.self)
        }
        if message.isEmpty { message = "no reason given" }
        return Redaction.redact(message, secrets: secrets)
    }

    private struct TokenResponse: Decodable {
        var accessToken: String
        var tokenType: String?
        var refreshToken: String?
        var scope: String?
        var expiresIn: Int?
        var apiDomain: String?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case tokenType = "token_type"
            case refreshToken = "refresh_token"
            case scope
            case expiresIn = "expires_in"
            case apiDomain = "api_domain"
        }
    }

    private struct OAuthErrorBody: Decodable {
        var error: String?
        var errorDescription: String?
        var message: String?

        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
            case message
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Pipedrive's error bodies vary: `error` may be a string or an object.
            error = try? container.decodeIfPresent(String.self, forKey: .error)
            errorDescription = try? container.decodeIfPresent(String.self, forKey: .errorDescription)
            message = try? container.decodeIfPresent(String.self, forKey: .message)
        }
    }
}

/// `application/x-www-form-urlencoded` encoding.
enum FormEncoding {
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0x0f)])
            }
        }
        return result
    }
}

/// Removes secrets from text that may reach a log line or an error message.
enum Redaction {
    /// `text` with every occurrence of a (non-trivial) secret replaced by `[redacted]`.
    static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 6 {
            result = result.replacing(secret, with: "[redacted]")
        }
        return result
    }
}
