import Foundation

/// A Pipedrive person, the same whichever API version delivered it.
///
/// v2 sends `phones`/`emails` and `org_id` as an integer; v1 (recents, webhooks) sends `phone`/`email`
/// and `org_id` as an object or an integer, with `YYYY-MM-DD HH:MM:SS` times. Both decode to this type.
public struct Person: Equatable, Sendable, Decodable, Identifiable {
    /// The person's id.
    public var id: Int
    /// The full name.
    public var name: String
    /// Phone numbers as stored in Pipedrive.
    public var phones: [LabeledValue]
    /// Email addresses.
    public var emails: [LabeledValue]
    /// The person's organisation.
    public var organizationID: Int?
    /// The owning user.
    public var ownerID: Int?
    /// When the person was created.
    public var addTime: Date?
    /// When the person was last changed.
    public var updateTime: Date?
    /// Whether the person is deleted (v2 `is_deleted`, or v1 `active_flag: false`).
    public var isDeleted: Bool

    /// Creates a person.
    public init(
        id: Int, name: String, phones: [LabeledValue] = [], emails: [LabeledValue] = [], organizationID: Int? = nil,
        ownerID: Int? = nil, addTime: Date? = nil, updateTime: Date? = nil, isDeleted: Bool = false
    ) {
        self.id = id
        self.name = name
        self.phones = phones
        self.emails = emails
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.addTime = addTime
        self.updateTime = updateTime
        self.isDeleted = isDeleted
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case name
        case phones
        case phone
        case emails
        case email
        case organizationID = "org_id"
        case ownerID = "owner_id"
        case addTime = "add_time"
        case updateTime = "update_time"
        case isDeleted = "is_deleted"
        case activeFlag = "active_flag"
    }

    /// Reads the v2 or v1 shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "person without id"))
        }
        self.id = id
        name = (try? container.decodeIfPresent(String.self, forKey: .name)) ?? ""
        phones = Self.values(container, .phones) ?? Self.values(container, .phone) ?? []
        emails = Self.values(container, .emails) ?? Self.values(container, .email) ?? []
        organizationID = container.reference(.organizationID)
        ownerID = container.reference(.ownerID)
        addTime = container.timestamp(.addTime)
        updateTime = container.timestamp(.updateTime)
        isDeleted = container.flexibleBool(.isDeleted) ?? (container.flexibleBool(.activeFlag).map { !$0 } ?? false)
    }

    /// Phones or emails: an array of objects or strings, or (v1 write shape) one string; empty values dropped.
    private static func values(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> [LabeledValue]? {
        if let list = try? container.decodeIfPresent([LabeledValue].self, forKey: key) {
            return list.filter { !$0.value.isEmpty }
        }
        if let text = try? container.decodeIfPresent(String.self, forKey: key) {
            return text.isEmpty ? [] : [LabeledValue(value: text, isPrimary: true)]
        }
        return nil
    }
}

/// One page of persons from `GET /api/v2/persons`.
public struct PersonPage: Equatable, Sendable {
    /// The persons on this page.
    public var persons: [Person]
    /// The cursor of the next page, or `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(persons: [Person], nextCursor: String?) {
        self.persons = persons
        self.nextCursor = nextCursor
    }
}

/// A person to create with `POST /api/v2/persons`.
public struct NewPerson: Equatable, Sendable, Encodable {
    /// The full name (required).
    public var name: String
    /// Phone numbers; if none is primary, Pipedrive makes the first one primary.
    public var phones: [LabeledValue]
    /// Email addresses.
    public var emails: [LabeledValue]
    /// The organisation.
    public var organizationID: Int?
    /// The owning user.
    public var ownerID: Int?

    /// Creates a person to add.
    public init(
        name: String, phones: [LabeledValue] = [], emails: [LabeledValue] = [], organizationID: Int? = nil,
        ownerID: Int? = nil
    ) {
        self.name = name
        self.phones = phones
        self.emails = emails
        self.organizationID = organizationID
        self.ownerID = ownerID
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case phones
        case emails
        case organizationID = "org_id"
        case ownerID = "owner_id"
    }

    /// Writes the v2 body.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        if !phones.isEmpty { try container.encode(phones, forKey: .phones) }
        if !emails.isEmpty { try container.encode(emails, forKey: .emails) }
        try container.encodeIfPresent(organizationID, forKey: .organizationID)
        try container.encodeIfPresent(ownerID, forKey: .ownerID)
    }
}

/// One hit of `GET /api/v2/persons/search`.
public struct PersonSearchHit: Equatable, Sendable, Decodable {
    /// The person's id.
    public var personID: Int
    /// The person's name.
    public var name: String
    /// Phone numbers (search results carry plain strings, without label or primary flag).
    public var phones: [String]
    /// The person's organisation, when any.
    public var organizationID: Int?
    /// The organisation's name, when any.
    public var organizationName: String?
    /// Pipedrive's relevance score.
    public var score: Double?

    /// Creates a hit.
    public init(
        personID: Int, name: String, phones: [String], organizationID: Int? = nil, organizationName: String? = nil,
        score: Double? = nil
    ) {
        self.personID = personID
        self.name = name
        self.phones = phones
        self.organizationID = organizationID
        self.organizationName = organizationName
        self.score = score
    }

    private enum OuterKeys: String, CodingKey {
        case resultScore = "result_score"
        case item
    }

    private enum ItemKeys: String, CodingKey {
        case id
        case name
        case phones
        case organization
    }

    private enum OrganizationKeys: String, CodingKey {
        case id
        case name
    }

    /// Reads `{result_score, item:{id, name, phones:[string], organization:{id,name}}}`.
    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: OuterKeys.self)
        score = try? outer.decodeIfPresent(Double.self, forKey: .resultScore)
        let item = try outer.nestedContainer(keyedBy: ItemKeys.self, forKey: .item)
        guard let id = item.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                ItemKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "search hit without id"))
        }
        personID = id
        name = (try? item.decodeIfPresent(String.self, forKey: .name)) ?? ""
        phones = ((try? item.decodeIfPresent([LabeledValue].self, forKey: .phones)) ?? []).map(\.value)
        if let organization = try? item.nestedContainer(keyedBy: OrganizationKeys.self, forKey: .organization) {
            organizationID = organization.flexibleInt(.id)
            organizationName = try? organization.decodeIfPresent(String.self, forKey: .name)
        }
    }
}
