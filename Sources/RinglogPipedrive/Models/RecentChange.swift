import Foundation

/// One entry of the v1 change feed (`GET /v1/recents`).
public struct RecentChange: Equatable, Sendable, Decodable {
    /// What changed: `person`, `organization`, `user`, `activity`, ….
    public var item: String
    /// The changed object's id.
    public var id: Int
    /// The person, when ``item`` is `person` (v1 shape, normalised).
    public var person: Person?
    /// The organisation, when ``item`` is `organization`.
    public var organization: Organization?
    /// The user, when ``item`` is `user` (Pipedrive sends users as a one-element array).
    public var user: PipedriveUser?

    /// Creates a change.
    public init(
        item: String, id: Int, person: Person? = nil, organization: Organization? = nil, user: PipedriveUser? = nil
    ) {
        self.item = item
        self.id = id
        self.person = person
        self.organization = organization
        self.user = user
    }

    private enum CodingKeys: String, CodingKey {
        case item
        case id
        case data
    }

    /// Reads `{item, id, data}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        item = (try? container.decodeIfPresent(String.self, forKey: .item)) ?? ""
        guard let id = container.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "recent change without id"))
        }
        self.id = id
        switch item {
        case "person": person = try? container.decodeIfPresent(Person.self, forKey: .data)
        case "organization": organization = try? container.decodeIfPresent(Organization.self, forKey: .data)
        case "user":
            user =
                (try? container.decodeIfPresent(PipedriveUser.self, forKey: .data))
                ?? (try? container.decodeIfPresent([PipedriveUser].self, forKey: .data))?.first
        default: break
        }
    }
}

/// One page of the change feed.
public struct RecentsPage: Equatable, Sendable {
    /// The changes on this page.
    public var changes: [RecentChange]
    /// The `start` of the next page, or `nil` on the last page.
    public var nextStart: Int?
    /// The newest change time on this page: the `since` of a later poll.
    public var lastTimestamp: Date?

    /// Creates a page.
    public init(changes: [RecentChange], nextStart: Int?, lastTimestamp: Date?) {
        self.changes = changes
        self.nextStart = nextStart
        self.lastTimestamp = lastTimestamp
    }
}
