import Foundation

/// Holds the OAuth tokens, refreshes them ahead of expiry and keeps the refresh token alive.
///
/// - Concurrent callers share one in-flight refresh.
/// - Every new token set is written to the ``TokenFile`` before it is used.
/// - A refused refresh token (`invalid_grant`) moves the store to
///   ``AuthorizationState/needsReauthorization(reason:)``; from then on calls fail with the retryable
///   ``PipedriveError/needsReauthorization(reason:)`` until `ringlog auth` writes new tokens to the file,
///   which the store notices by the file's version: inode, modification time and size (or ``reloadTokens()``).
public actor TokenStore {
    /// When to refresh.
    public struct Policy: Sendable, Equatable {
        /// Refresh the access token this long before it expires.
        public var refreshMargin: Duration
        /// Refresh at least this often even without traffic, so the refresh token (60 days without use)
        /// never lapses.
        public var keepAliveInterval: Duration

        /// Creates a policy; by default 5 minutes ahead of expiry and every 28 days.
        public init(refreshMargin: Duration = .seconds(300), keepAliveInterval: Duration = .seconds(28 * 86_400)) {
            self.refreshMargin = refreshMargin
            self.keepAliveInterval = keepAliveInterval
        }
    }

    /// Where the tokens are persisted.
    public nonisolated let file: TokenFile
    /// The refresh policy.
    public nonisolated let policy: Policy
    private let refresher: @Sendable (String) async throws -> OAuthTokens
    private let now: @Sendable () -> Date
    private var tokens: OAuthTokens?
    private var fileVersion: TokenFile.Version?
    private var inFlight: Task<OAuthTokens, any Error>?
    /// The current authorisation state.
    public private(set) var state: AuthorizationState
    /// The last failure to write the tokens file, if the latest write failed (tokens stay usable in memory).
    public private(set) var lastPersistenceFailure: TokenFile.Failure?

    /// Creates a store over `file`, reading whatever tokens it holds.
    /// - Parameters:
    ///   - refresh: exchanges a refresh token for new tokens, usually ``OAuthClient/refresh(refreshToken:)``.
    ///   - now: the wall clock.
    public init(
        file: TokenFile, policy: Policy = Policy(), now: @escaping @Sendable () -> Date = { Date() },
        refresh: @escaping @Sendable (String) async throws -> OAuthTokens
    ) {
        self.file = file
        self.policy = policy
        self.refresher = refresh
        self.now = now
        do {
            tokens = try file.load()
            state = tokens == nil ? .needsReauthorization(reason: "no OAuth tokens stored yet") : .ok
        } catch {
            tokens = nil
            state = .needsReauthorization(reason: error.description)
        }
        fileVersion = file.version()
    }

    /// The current tokens (for diagnostics; never log them).
    public var currentTokens: OAuthTokens? { tokens }

    /// A valid access token, refreshed first when it expires within ``Policy/refreshMargin``.
    /// - Throws: ``PipedriveError/needsReauthorization(reason:)`` while re-authorisation is needed;
    ///   retryable errors when a needed refresh failed and the old token has already expired.
    public func accessToken() async throws -> String {
        reloadIfFileChanged()
        if case .needsReauthorization(let reason) = state { throw PipedriveError.needsReauthorization(reason: reason) }
        guard let current = tokens else {
            throw PipedriveError.needsReauthorization(reason: "no OAuth tokens stored yet")
        }
        let instant = now()
        guard instant.addingTimeInterval(policy.refreshMargin.seconds) >= current.expiresAt else {
            return current.accessToken
        }
        do {
            return try await refresh().accessToken
        } catch let error as PipedriveError where error.isRetryable && !isReauthorization(error) {
            // Refreshing early failed for a passing reason: the old token still works until it expires.
            if instant < current.expiresAt { return current.accessToken }
            throw error
        }
    }

    /// Refreshes after Pipedrive rejected `rejectedToken` with 401, unless another caller already did.
    /// - Returns: the access token to retry with.
    public func accessToken(replacing rejectedToken: String) async throws -> String {
        if let current = tokens, current.accessToken != rejectedToken { return current.accessToken }
        return try await refresh().accessToken
    }

    /// Refreshes now (joining a refresh already in flight) and persists the result.
    @discardableResult
    public func refresh() async throws -> OAuthTokens {
        if let inFlight { return try await inFlight.value }
        guard let current = tokens else {
            throw PipedriveError.needsReauthorization(reason: "no OAuth tokens stored yet")
        }
        if case .needsReauthorization(let reason) = state { throw PipedriveError.needsReauthorization(reason: reason) }
        state = .refreshing
        let refresher = self.refresher
        let task = Task { try await refresher(current.refreshToken) }
        inFlight = task
        defer { inFlight = nil }
        do {
            var fresh = try await task.value
            if fresh.apiDomain == nil { fresh.apiDomain = current.apiDomain }
            if fresh.scope == nil { fresh.scope = current.scope }
            install(fresh)
            return fresh
        } catch PipedriveError.needsReauthorization(let reason) {
            state = .needsReauthorization(reason: reason)
            throw PipedriveError.needsReauthorization(reason: reason)
        } catch {
            state = .ok
            throw error
        }
    }

    /// Refreshes when the refresh token has not been used for ``Policy/keepAliveInterval``.
    /// - Returns: whether a refresh happened.
    @discardableResult
    public func keepAliveIfDue() async throws -> Bool {
        reloadIfFileChanged()
        guard state.isUsable, let current = tokens else { return false }
        guard now().timeIntervalSince(current.refreshedAt) >= policy.keepAliveInterval.seconds else { return false }
        try await refresh()
        return true
    }

    /// When the next keep-alive refresh is due, or `nil` without usable tokens.
    public var nextKeepAlive: Date? {
        guard state.isUsable, let current = tokens else { return nil }
        return current.refreshedAt.addingTimeInterval(policy.keepAliveInterval.seconds)
    }

    /// Stores tokens obtained by `ringlog auth` (or a test) and leaves the re-authorisation state.
    public func store(_ fresh: OAuthTokens) throws(TokenFile.Failure) {
        try file.save(fresh)
        tokens = fresh
        fileVersion = file.version()
        lastPersistenceFailure = nil
        state = .ok
    }

    /// Records that Pipedrive no longer accepts the tokens, so that calls stop until `ringlog auth` runs.
    public func markNeedsReauthorization(reason: String) {
        state = .needsReauthorization(reason: reason)
        fileVersion = file.version()
    }

    /// Re-reads the tokens file, e.g. after `ringlog auth` wrote it.
    /// - Returns: whether usable tokens are now loaded.
    @discardableResult
    public func reloadTokens() -> Bool {
        fileVersion = file.version()
        do {
            guard let loaded = try file.load() else { return tokens != nil && state.isUsable }
            // The same tokens Pipedrive already refused do not end the re-authorisation state.
            guard loaded != tokens else { return state.isUsable }
            tokens = loaded
            state = .ok
            return true
        } catch {
            return tokens != nil && state.isUsable
        }
    }

    private func reloadIfFileChanged() {
        guard inFlight == nil, file.version() != fileVersion else { return }
        reloadTokens()
    }

    private func install(_ fresh: OAuthTokens) {
        tokens = fresh
        state = .ok
        do {
            try file.save(fresh)
            lastPersistenceFailure = nil
        } catch {
            // Keep working from memory; the old file still holds a refresh token Pipedrive accepts
            // (it returns the same one on refresh), and the failure is visible for `ringlog status`.
            lastPersistenceFailure = error
        }
        fileVersion = file.version()
    }

    private func isReauthorization(_ error: PipedriveError) -> Bool {
        if case .needsReauthorization = error { return true }
        return false
    }
}
