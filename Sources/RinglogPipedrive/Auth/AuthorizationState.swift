/// Whether ringlog can currently call Pipedrive with OAuth, for `ringlog status` and the logs.
public enum AuthorizationState: Equatable, Sendable, CustomStringConvertible {
    /// Tokens are present and were accepted last time.
    case ok
    /// A token refresh is in flight.
    case refreshing
    /// Pipedrive refused the refresh token (or no tokens are stored): an operator must run `ringlog auth`.
    /// Calls fail with ``PipedriveError/needsReauthorization(reason:)`` and stay queued until then.
    case needsReauthorization(reason: String)

    /// Whether API calls can go out.
    public var isUsable: Bool {
        if case .needsReauthorization = self { return false }
        return true
    }

    /// One line for `ringlog status`.
    public var description: String {
        switch self {
        case .ok: "authorised"
        case .refreshing: "refreshing the access token"
        case .needsReauthorization(let reason):
            "needs re-authorisation (\(reason)); run 'ringlog auth --config FILE'"
        }
    }
}
