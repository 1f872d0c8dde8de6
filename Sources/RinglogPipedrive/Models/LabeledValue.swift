/// A phone number or email address of a person, with its label.
public struct LabeledValue: Equatable, Hashable, Sendable, Codable {
    /// The number or address as stored in Pipedrive (not normalised).
    public var value: String
    /// `work`, `home`, `mobile`, `other`, ….
    public var label: String?
    /// Whether this is the person's primary entry.
    public var isPrimary: Bool

    /// Creates an entry.
    public init(value: String, label: String? = nil, isPrimary: Bool = false) {
        self.value = value
        self.label = label
        self.isPrimary = isPrimary
    }

    private enum CodingKeys: String, CodingKey {
        case value
        case label
        case isPrimary = "primary"
    }

    /// Reads `{value, label, primary}`, or a bare string (search results, v1 write shape).
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(value: text)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            value: container.flexibleString(.value) ?? "",
            label: (try? container.decodeIfPresent(String.self, forKey: .label)) ?? nil,
            isPrimary: container.flexibleBool(.isPrimary) ?? false)
    }

    /// Writes the v2 shape `{value, label, primary}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encodeIfPresent(label, forKey: .label)
        try container.encode(isPrimary, forKey: .isPrimary)
    }
}
