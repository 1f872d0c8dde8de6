/// An activity type (`GET /v1/activityTypes`); activities refer to it by ``keyString``.
public struct ActivityType: Equatable, Sendable, Decodable, Identifiable {
    /// The type's id.
    public var id: Int
    /// The display name, e.g. `Call`.
    public var name: String
    /// The stable key activities use, e.g. `call`.
    public var keyString: String
    /// Whether the type is active.
    public var isActive: Bool
    /// Whether a company created it.
    public var isCustom: Bool

    /// Creates an activity type.
    public init(id: Int, name: String, keyString: String, isActive: Bool = true, isCustom: Bool = false) {
        self.id = id
        self.name = name
        self.keyString = keyString
        self.isActive = isActive
        self.isCustom = isCustom
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case name
        case keyString = "key_string"
        case activeFlag = "active_flag"
        case isCustomFlag = "is_custom_flag"
    }

    /// Reads the v1 shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "activity type without id"))
        }
        self.id = id
        name = (try? container.decodeIfPresent(String.self, forKey: .name)) ?? ""
        keyString = (try? container.decodeIfPresent(String.self, forKey: .keyString)) ?? ""
        isActive = container.flexibleBool(.activeFlag) ?? true
        isCustom = container.flexibleBool(.isCustomFlag) ?? false
    }
}
