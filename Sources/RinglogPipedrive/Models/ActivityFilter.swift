import Foundation

/// Which activities `GET /api/v2/activities` returns; every field left `nil` does not filter.
public struct ActivityFilter: Equatable, Sendable {
    /// Only activities whose primary participant is this person.
    public var personID: Int?
    /// Only activities linked to this organisation.
    public var organizationID: Int?
    /// Only activities owned by this user.
    public var ownerID: Int?
    /// Only activities linked to this deal.
    public var dealID: Int?
    /// Only done (`true`) or only open (`false`) activities.
    public var done: Bool?
    /// Only activities changed at or after this time (whole seconds; the list is then sorted by update time).
    public var updatedSince: Date?

    /// Creates a filter.
    public init(
        personID: Int? = nil, organizationID: Int? = nil, ownerID: Int? = nil, dealID: Int? = nil, done: Bool? = nil,
        updatedSince: Date? = nil
    ) {
        self.personID = personID
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.dealID = dealID
        self.done = done
        self.updatedSince = updatedSince
    }
}
