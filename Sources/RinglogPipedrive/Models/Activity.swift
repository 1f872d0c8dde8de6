import Foundation

/// A Pipedrive activity as returned by the v2 API.
public struct Activity: Equatable, Sendable, Decodable, Identifiable {
    /// The activity's id.
    public var id: Int
    /// The subject.
    public var subject: String?
    /// The type's `key_string`.
    public var type: String?
    /// The assigned user.
    public var ownerID: Int?
    /// The primary participant.
    public var personID: Int?
    /// The linked organisation.
    public var organizationID: Int?
    /// The linked deal.
    public var dealID: Int?
    /// The linked lead.
    public var leadID: String?
    /// When it is due (date plus time when Pipedrive has a time, UTC).
    public var due: Date?
    /// How long it takes.
    public var duration: Duration?
    /// Whether it is done.
    public var done: Bool
    /// The note.
    public var note: String?
    /// When it was last changed.
    public var updateTime: Date?

    private enum CodingKeys: String, CodingKey {
        case id
        case subject
        case type
        case ownerID = "owner_id"
        case userID = "user_id"
        case personID = "person_id"
        case participants
        case organizationID = "org_id"
        case dealID = "deal_id"
        case leadID = "lead_id"
        case dueDate = "due_date"
        case dueTime = "due_time"
        case duration
        case done
        case note
        case updateTime = "update_time"
    }

    private struct Participant: Decodable {
        var personID: Int?
        var primary: Bool

        enum CodingKeys: String, CodingKey {
            case personID = "person_id"
            case primary
            case primaryFlag = "primary_flag"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            personID = container.flexibleInt(.personID)
            primary = container.flexibleBool(.primary) ?? container.flexibleBool(.primaryFlag) ?? false
        }
    }

    /// Reads the v2 shape (v1's `user_id` and `primary_flag` are accepted too).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.flexibleInt(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "activity without id"))
        }
        self.id = id
        subject = try? container.decodeIfPresent(String.self, forKey: .subject)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
        ownerID = container.reference(.ownerID) ?? container.reference(.userID)
        let participants = (try? container.decodeIfPresent([Participant].self, forKey: .participants)) ?? []
        personID = container.reference(.personID) ?? participants.first { $0.primary }?.personID
        organizationID = container.reference(.organizationID)
        dealID = container.reference(.dealID)
        leadID = container.flexibleString(.leadID)
        if let day = try? container.decodeIfPresent(String.self, forKey: .dueDate) {
            let time = (try? container.decodeIfPresent(String.self, forKey: .dueTime)) ?? nil
            due = PipedriveTimestamp.parse(time.map { $0.isEmpty ? day : "\(day) \($0)" } ?? day)
        }
        duration = (try? container.decodeIfPresent(String.self, forKey: .duration)).flatMap {
            $0.flatMap(Self.parseDuration)
        }
        done = container.flexibleBool(.done) ?? false
        note = try? container.decodeIfPresent(String.self, forKey: .note)
        updateTime = container.timestamp(.updateTime)
    }

    /// Parses `HH:MM` or `HH:MM:SS`.
    static func parseDuration(_ text: String) -> Duration? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        let numbers = parts.compactMap { $0 }
        return .seconds(numbers[0] * 3600 + numbers[1] * 60 + (numbers.count == 3 ? numbers[2] : 0))
    }
}
