/// One page of a cursor-paginated list from the CRM.
public struct DirectoryPage<Item: Sendable>: Sendable {
    /// The items on this page.
    public var items: [Item]
    /// The cursor of the next page, or `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// A person as a list call returns it: alive, or soft-deleted.
public struct DirectoryPersonChange: Sendable, Equatable {
    /// The person's data.
    public var person: DirectoryPerson
    /// Whether Pipedrive marks the person deleted (merged-away persons are deleted too).
    public var isDeleted: Bool
    /// The person's `update_time` (RFC 3339), the sync's watermark.
    public var updatedAt: String

    /// Creates a change.
    public init(person: DirectoryPerson, isDeleted: Bool, updatedAt: String) {
        self.person = person
        self.isDeleted = isDeleted
        self.updatedAt = updatedAt
    }
}

/// Where the directory reads persons and open deals: the Pipedrive client, or a fake in tests.
public protocol DirectorySource: Sendable {
    /// One page of persons, all of them or those updated since an RFC 3339 time (inclusive).
    func persons(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryPersonChange>
    /// One page of open deals.
    func openDeals(cursor: String?) async throws -> DirectoryPage<DirectoryDeal>
}
