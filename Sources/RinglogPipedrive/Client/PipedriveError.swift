import Foundation

/// Everything that can go wrong when talking to Pipedrive, split into what is worth retrying and what is not.
///
/// Messages are written for the operator and never contain an API token, access token, refresh token or
/// client secret.
public enum PipedriveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The burst limit was hit (HTTP 429) and the wait is longer than the client waits by itself.
    case rateLimited(retryAt: Date)
    /// The company's daily token budget is used up; nothing is sent until it resets.
    case dailyBudgetExhausted(resetsAt: Date)
    /// Pipedrive had a problem (HTTP 5xx).
    case serverError(status: Int, message: String)
    /// No response arrived: timeout, refused or broken connection.
    case transport(TransportFailure)
    /// The OAuth refresh token was refused (`invalid_grant`): an operator must run `ringlog auth` again.
    /// Calls keep failing with this error, which is retryable, until new tokens are stored.
    case needsReauthorization(reason: String)
    /// Pipedrive refused the credentials (HTTP 401) and refreshing cannot help: a wrong API token.
    case unauthorized(message: String)
    /// The request was malformed or its data invalid (HTTP 400, 405, 415, 422).
    case invalidRequest(status: Int, message: String)
    /// The company account is not paid up (HTTP 402).
    case paymentRequired(message: String)
    /// Not allowed: permissions, OAuth scope, plan limits or abuse protection (HTTP 403).
    case forbidden(message: String, code: String?)
    /// The object does not exist (HTTP 404).
    case notFound(message: String)
    /// The object conflicts with an existing one, e.g. a call log already has a recording (HTTP 409).
    case conflict(message: String)
    /// The object is permanently gone (HTTP 410).
    case gone(message: String)
    /// Pipedrive answered with something the client cannot read.
    case unexpectedResponse(status: Int, detail: String)
    /// The OAuth server refused the request (code exchange or client credentials); `message` says why.
    case oauthRefused(message: String)

    /// Whether sending the same request later may succeed. The outbox keeps retryable items pending.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .dailyBudgetExhausted, .serverError, .transport, .needsReauthorization: true
        case .unauthorized, .invalidRequest, .paymentRequired, .forbidden, .notFound, .conflict, .gone,
            .unexpectedResponse, .oauthRefused:
            false
        }
    }

    /// The earliest time a retry makes sense, when Pipedrive said so (rate limits, daily budget).
    public var retryAt: Date? {
        switch self {
        case .rateLimited(let date): date
        case .dailyBudgetExhausted(let date): date
        default: nil
        }
    }

    /// A sentence for the operator saying what happened and what to do.
    public var description: String {
        switch self {
        case .rateLimited(let date):
            "Pipedrive's rate limit was hit; requests resume at \(Self.format(date))."
        case .dailyBudgetExhausted(let date):
            "The Pipedrive company's daily API token budget is used up; ringlog sends nothing until it resets at "
                + "\(Self.format(date)). Buy more tokens or reduce other integrations' use if this repeats."
        case .serverError(let status, let message):
            "Pipedrive had an internal problem (HTTP \(status): \(message)); ringlog will retry."
        case .transport(let failure):
            "Pipedrive could not be reached: \(failure); ringlog will retry."
        case .needsReauthorization(let reason):
            "Pipedrive no longer accepts ringlog's authorisation (\(reason)). Run 'ringlog auth --config FILE' "
                + "to authorise again; calls stay queued until then."
        case .unauthorized(let message):
            "Pipedrive refused the API token (\(message)). Check the token in the configuration."
        case .invalidRequest(let status, let message):
            "Pipedrive rejected the request as invalid (HTTP \(status): \(message))."
        case .paymentRequired(let message):
            "The Pipedrive company account is not active (HTTP 402: \(message))."
        case .forbidden(let message, let code):
            "Pipedrive did not allow the request (HTTP 403: \(message)\(code.map { ", \($0)" } ?? "")). "
                + "Check the user's permissions and the app's scopes."
        case .notFound(let message):
            "Pipedrive has no such object (HTTP 404: \(message))."
        case .conflict(let message):
            "Pipedrive reported a conflict (HTTP 409: \(message))."
        case .gone(let message):
            "The Pipedrive object no longer exists (HTTP 410: \(message))."
        case .unexpectedResponse(let status, let detail):
            "Pipedrive's answer could not be read (HTTP \(status): \(detail))."
        case .oauthRefused(let message):
            "Pipedrive's OAuth server refused the request: \(message)."
        }
    }

    private static func format(_ date: Date) -> String {
        PipedriveTimestamp.rfc3339(date)
    }
}
