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

/// A deal as a list call returns it: open, or no longer open (won, lost or deleted).
public struct DirectoryDealChange: Sendable, Equatable {
    /// The deal's data.
    public var deal: DirectoryDeal
    /// Whether the deal is open (not won, lost or deleted).
    public var isOpen: Bool
    /// The deal's `update_time` (RFC 3339), the deal sync's watermark.
    public var updatedAt: String

    /// Creates a change.
    public init(deal: DirectoryDeal, isOpen: Bool, updatedAt: String) {
        self.deal = deal
        self.isOpen = isOpen
        self.updatedAt = updatedAt
    }
}

/// Where the directory reads persons and open deals: the Pipedrive client, or a fake in tests.
public protocol DirectorySource: Sendable {
    /// One page of persons, all of them or those updated since an RFC 3339 time (inclusive).
    func persons(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryPersonChange>
    /// One page of deals: without `updatedSince` the open deals; with it (RFC 3339, inclusive) every deal
    /// changed since then whatever its status, so that deals won, lost or deleted since leave the directory.
    func deals(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryDealChange>
}
