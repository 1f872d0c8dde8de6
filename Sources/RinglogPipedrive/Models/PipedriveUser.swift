/// A Pipedrive user (`GET /v1/users`, `GET /v1/users/me`).
public struct PipedriveUser: Equatable, Sendable, Decodable, Identifiable {
    /// The user's id.
    public var id: Int
    /// The name.
    public var name: String
    /// The login email.
    public var email: String?
    /// The phone number in the user's profile, when set.
    public var phone: String?
    /// Whether the user is active.
    public var isActive: Bool
    /// The user's time zone, e.g. `Europe/Helsinki`.
    public var timeZoneName: String?
    /// The company (only on `users/me`).
    public var companyID: Int?
    /// The company's name (only on `users/me`).
    public var companyName: String?
    /// The company's subdomain, e.g. `acme` (only on `users/me`).
    public var companyDomain: String?

    /// Creates a user.
    public init(
        id: Int, name: String, email: String? = nil, phone: String? = nil, isActive: Bool = true,
        timeZoneName: String? = nil, companyID: Int? = nil, companyName: String? = nil, companyDomain: String? = nil
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.phone = phone
        self.isActive = isActive
        self.timeZoneName = timeZoneName
        self.companyID = companyID
        self.companyName = companyName
        self.companyDomain = companyDomain
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case name
        case email
        case phone
        case activeFlag = "active_flag"
        case timeZoneName = "timezone_name"
        case companyID = "company_id"
        case companyName = "company_name"
        case companyDomain = "company_domain"
    }

    /// Reads the v1 shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "user without id"))
        }
        self.id = id
        name = (try? container.decodeIfPresent(String.self, forKey: .name)) ?? ""
        email = try? container.decodeIfPresent(String.self, forKey: .email)
        phone = try? container.decodeIfPresent(String.self, forKey: .phone)
        isActive = container.flexibleBool(.activeFlag) ?? true
        timeZoneName = try? container.decodeIfPresent(String.self, forKey: .timeZoneName)
        companyID = container.flexibleInt(.companyID)
        companyName = try? container.decodeIfPresent(String.self, forKey: .companyName)
        companyDomain = try? container.decodeIfPresent(String.self, forKey: .companyDomain)
    }
}
