import Foundation
import RinglogCore
import RinglogPipedrive

/// Extension (or SIP username) → e-mail (from the configuration) → Pipedrive user id (`GET /v1/users`).
///
/// E-mails compare case-insensitively. The user list is fetched on first use, refreshed when it is older
/// than ``refreshInterval``, and again on a miss (at most once per ``missRefreshInterval``), so a user
/// added in Pipedrive is found without a restart.
public actor UserDirectory {
    /// What a lookup found.
    public enum Lookup: Sendable, Equatable {
        /// The Pipedrive user id.
        case user(Int)
        /// The extension is not in the configuration's `users`.
        case unmappedExtension
        /// The e-mail has no active Pipedrive user.
        case noActiveUser(email: String)
    }

    /// How often the user list is refreshed at most when nothing is missing (seconds).
    public let refreshInterval: TimeInterval
    /// How often a miss may trigger a refresh (seconds).
    public let missRefreshInterval: TimeInterval
    private let fetchUsers: @Sendable () async throws -> [PipedriveUser]
    private var extensions: [String: String]
    private var activeUserIDs: [String: Int] = [:]
    private var fetchedAt: Date?

    /// Creates a directory.
    /// - Parameters:
    ///   - extensions: the configuration's `users` (extension → e-mail).
    ///   - fetchUsers: `client.users()` in production.
    public init(
        extensions: [String: String], refreshInterval: TimeInterval = 3600, missRefreshInterval: TimeInterval = 60,
        fetchUsers: @escaping @Sendable () async throws -> [PipedriveUser]
    ) {
        self.extensions = Self.lowercased(extensions)
        self.refreshInterval = refreshInterval
        self.missRefreshInterval = missRefreshInterval
        self.fetchUsers = fetchUsers
    }

    /// Replaces the extension map (after a configuration reload).
    public func update(extensions: [String: String]) {
        self.extensions = Self.lowercased(extensions)
    }

    /// The configured e-mail of `extensionNumber`.
    public func email(ofExtension extensionNumber: String) -> String? { extensions[extensionNumber] }

    /// The Pipedrive user of `extensionNumber`.
    /// - Throws: the client's error when the user list cannot be fetched.
    public func lookUp(extension extensionNumber: String?, now: Date = Date()) async throws -> Lookup {
        guard let extensionNumber, let email = extensions[extensionNumber] else { return .unmappedExtension }
        if let id = try await userID(email: email, now: now) { return .user(id) }
        return .noActiveUser(email: email)
    }

    /// The active Pipedrive user with `email` (any case).
    public func userID(email: String, now: Date = Date()) async throws -> Int? {
        let key = email.lowercased()
        if fetchedAt.map({ now.timeIntervalSince($0) >= refreshInterval }) ?? true {
            try await refresh(now: now)
        } else if activeUserIDs[key] == nil, let fetchedAt, now.timeIntervalSince(fetchedAt) >= missRefreshInterval {
            try await refresh(now: now)
        }
        return activeUserIDs[key]
    }

    /// Fetches the user list now.
    public func refresh(now: Date = Date()) async throws {
        let users = try await fetchUsers()
        var ids: [String: Int] = [:]
        for user in users where user.isActive {
            if let email = user.email?.lowercased() { ids[email] = user.id }
        }
        activeUserIDs = ids
        fetchedAt = now
    }

    /// Extensions whose e-mail has no active user (for `ringlog check`); fetches the list when needed.
    public func unmatchedEmails(now: Date = Date()) async throws -> [String: String] {
        if fetchedAt == nil { try await refresh(now: now) }
        return extensions.filter { activeUserIDs[$0.value] == nil }
    }

    private static func lowercased(_ map: [String: String]) -> [String: String] {
        map.mapValues { $0.lowercased() }
    }
}
