import Foundation

/// A Pipedrive deal, as `GET /api/v2/deals` lists it: what the shared-number policy needs.
public struct Deal: Equatable, Sendable, Decodable, Identifiable {
    /// A deal's status.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// In progress.
        case open
        /// Closed as won.
        case won
        /// Closed as lost.
        case lost
        /// Deleted (listed for 30 days with `status=deleted`).
        case deleted
    }

    /// The deal's id.
    public var id: Int
    /// Its title.
    public var title: String
    /// The person the deal is with.
    public var personID: Int?
    /// The organisation the deal is with.
    public var organizationID: Int?
    /// The owning user.
    public var ownerID: Int?
    /// `open`, `won`, `lost` or `deleted` (an unknown status reads as `nil`).
    public var status: Status?
    /// When it was last changed.
    public var updateTime: Date?
    /// Whether it is deleted.
    public var isDeleted: Bool

    /// Creates a deal.
    public init(
        id: Int, title: String, personID: Int? = nil, organizationID: Int? = nil, ownerID: Int? = nil,
        status: Status? = .open, updateTime: Date? = nil, isDeleted: Bool = false
    ) {
        self.id = id
        self.title = title
        self.personID = personID
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.status = status
        self.updateTime = updateTime
        self.isDeleted = isDeleted
    }

    /// Whether the deal is open and not deleted.
    public var isOpen: Bool { status == .open && !isDeleted }

    private enum CodingKeys: String, CodingKey {
        case id
        case title
        case personID = "person_id"
        case organizationID = "org_id"
        case ownerID = "owner_id"
        case status
        case updateTime = "update_time"
        case isDeleted = "is_deleted"
    }

    /// Reads the v2 shape (plain integer references; objects are accepted too).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "deal without id"))
        }
        self.id = id
        title = (try? container.decodeIfPresent(String.self, forKey: .title)) ?? ""
        personID = container.reference(.personID)
        organizationID = container.reference(.organizationID)
        ownerID = container.reference(.ownerID)
        status = container.flexibleString(.status).flatMap(Status.init(rawValue:))
        updateTime = container.timestamp(.updateTime)
        isDeleted = container.flexibleBool(.isDeleted) ?? false
    }
}

/// One page of `GET /api/v2/deals`.
public struct DealPage: Equatable, Sendable {
    /// The deals on this page.
    public var deals: [Deal]
    /// The cursor of the next page, or `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(deals: [Deal], nextCursor: String?) {
        self.deals = deals
        self.nextCursor = nextCursor
    }
}

/// A deal to create with `POST /api/v2/deals`.
public struct NewDeal: Equatable, Sendable, Encodable {
    /// The title (required).
    public var title: String
    /// The person it is with.
    public var personID: Int?
    /// The owning user.
    public var ownerID: Int?
    /// The pipeline; Pipedrive's default pipeline when `nil`.
    public var pipelineID: Int?
    /// The stage; the pipeline's first stage when `nil`.
    public var stageID: Int?

    /// Creates a deal to add.
    public init(title: String, personID: Int? = nil, ownerID: Int? = nil, pipelineID: Int? = nil, stageID: Int? = nil) {
        self.title = title
        self.personID = personID
        self.ownerID = ownerID
        self.pipelineID = pipelineID
        self.stageID = stageID
    }

    private enum CodingKeys: String, CodingKey {
        case title
        case personID = "person_id"
        case ownerID = "owner_id"
        case pipelineID = "pipeline_id"
        case stageID = "stage_id"
    }
}
