/// What the contact directory keeps of a Pipedrive person: enough to match a number or an e-mail and to
/// choose between persons who share a number.
public struct DirectoryPerson: Sendable, Equatable, Codable {
    /// The person's id.
    public var id: Int
    /// The person's name, for notes and `ringlog trace`.
    public var name: String
    /// The organisation the person belongs to.
    public var organizationID: Int?
    /// The Pipedrive user who owns the person.
    public var ownerID: Int?
    /// Phone numbers as stored in Pipedrive, in any format.
    public var phones: [String]
    /// E-mail addresses as stored in Pipedrive.
    public var emails: [String]
    /// When the person's last activity was, in seconds since the Unix epoch, when known.
    public var lastActivityAt: Int64?

    /// Creates a directory person.
    public init(
        id: Int, name: String, organizationID: Int? = nil, ownerID: Int? = nil, phones: [String] = [],
        emails: [String] = [], lastActivityAt: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.organizationID = organizationID
        self.ownerID = ownerID
        self.phones = phones
        self.emails = emails
        self.lastActivityAt = lastActivityAt
    }
}

/// An open deal, as the shared-number policy needs it.
public struct DirectoryDeal: Sendable, Equatable, Codable {
    /// The deal's id.
    public var id: Int
    /// The person the deal is with.
    public var personID: Int?
    /// The organisation the deal is with.
    public var organizationID: Int?
    /// The Pipedrive user who owns the deal.
    public var ownerID: Int

    /// Creates a deal.
    public init(id: Int, personID: Int?, organizationID: Int?, ownerID: Int) {
        self.id = id
        self.personID = personID
        self.organizationID = organizationID
        self.ownerID = ownerID
    }
}
