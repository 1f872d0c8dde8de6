import Foundation

/// A Pipedrive organisation (`GET /api/v2/organizations/{id}`).
public struct Organization: Equatable, Sendable, Decodable, Identifiable {
    /// The organisation's id.
    public var id: Int
    /// Its name.
    public var name: String
    /// The owning user.
    public var ownerID: Int?
    /// The formatted address, when any.
    public var address: String?
    /// When it was last changed.
    public var updateTime: Date?
    /// Whether it is deleted.
    public var isDeleted: Bool

    /// Creates an organisation.
    public init(
        id: Int, name: String, ownerID: Int? = nil, address: String? = nil, updateTime: Date? = nil,
        isDeleted: Bool = false
    ) {
        self.id = id
        self.name = name
        self.ownerID = ownerID
        self.address = address
        self.updateTime = updateTime
        self.isDeleted = isDeleted
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case name
        case ownerID = "owner_id"
        case address
        case updateTime = "update_time"
        case isDeleted = "is_deleted"
        case activeFlag = "active_flag"
    }

    private enum AddressKeys: String, CodingKey {
        case value
    }

    /// Reads the v2 shape (address object) or v1 (address string, `active_flag`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "organization without id"))
        }
        self.id = id
        name = (try? container.decodeIfPresent(String.self, forKey: .name)) ?? ""
        ownerID = container.reference(.ownerID)
        if let text = try? container.decodeIfPresent(String.self, forKey: .address) {
            address = text
        } else if let object = try? container.nestedContainer(keyedBy: AddressKeys.self, forKey: .address) {
            address = try? object.decodeIfPresent(String.self, forKey: .value)
        }
        updateTime = container.timestamp(.updateTime)
        isDeleted = container.flexibleBool(.isDeleted) ?? (container.flexibleBool(.activeFlag).map { !$0 } ?? false)
    }
}

/// One page of organisations from `GET /api/v2/organizations`.
public struct OrganizationPage: Equatable, Sendable {
    /// The organisations on this page.
    public var organizations: [Organization]
    /// The cursor of the next page, or `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(organizations: [Organization], nextCursor: String?) {
        self.organizations = organizations
        self.nextCursor = nextCursor
    }
}
