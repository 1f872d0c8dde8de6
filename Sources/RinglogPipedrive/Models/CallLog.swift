import Foundation

/// A call log as Pipedrive stores it (`GET /v1/callLogs/{id}`).
public struct CallLog: Equatable, Sendable, Decodable, Identifiable {
    /// Pipedrive's id for the log: a string, not a number.
    public var id: String
    /// The `call` activity that backs the log.
    public var activityID: Int?
    /// The owner.
    public var userID: Int?
    /// The subject.
    public var subject: String?
    /// How long the call lasted, when known.
    public var duration: Duration?
    /// How the call ended, when Pipedrive sent a known value.
    public var outcome: CallLogOutcome?
    /// The calling number.
    public var fromPhoneNumber: String?
    /// The called number.
    public var toPhoneNumber: String?
    /// When the call started.
    public var startTime: Date?
    /// When the call ended.
    public var endTime: Date?
    /// The linked person.
    public var personID: Int?
    /// The linked organisation.
    public var organizationID: Int?
    /// The linked deal.
    public var dealID: Int?
    /// The linked lead.
    public var leadID: String?
    /// The note.
    public var note: String?
    /// Whether a recording is attached.
    public var hasRecording: Bool

    private enum CodingKeys: String, CodingKey {
        case id
        case activityID = "activity_id"
        case userID = "user_id"
        case subject
        case duration
        case outcome
        case fromPhoneNumber = "from_phone_number"
        case toPhoneNumber = "to_phone_number"
        case startTime = "start_time"
        case endTime = "end_time"
        case personID = "person_id"
        case organizationID = "org_id"
        case dealID = "deal_id"
        case leadID = "lead_id"
        case note
        case hasRecording = "has_recording"
    }

    /// Reads the v1 shape; ids may be strings or numbers, times in either of Pipedrive's formats.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.flexibleString(.id) else {
            throw DecodingError.keyNotFound(
                CodingKeys.id, .init(codingPath: decoder.codingPath, debugDescription: "call log without id"))
        }
        self.id = id
        activityID = container.flexibleInt(.activityID)
        userID = container.flexibleInt(.userID)
        subject = try? container.decodeIfPresent(String.self, forKey: .subject)
        duration = container.flexibleInt(.duration).map { .seconds($0) }
        outcome = (try? container.decodeIfPresent(String.self, forKey: .outcome)).flatMap {
            $0.flatMap(CallLogOutcome.init)
        }
        fromPhoneNumber = try? container.decodeIfPresent(String.self, forKey: .fromPhoneNumber)
        toPhoneNumber = try? container.decodeIfPresent(String.self, forKey: .toPhoneNumber)
        startTime = container.timestamp(.startTime)
        endTime = container.timestamp(.endTime)
        personID = container.reference(.personID)
        organizationID = container.reference(.organizationID)
        dealID = container.reference(.dealID)
        leadID = container.flexibleString(.leadID)
        note = try? container.decodeIfPresent(String.self, forKey: .note)
        hasRecording = container.flexibleBool(.hasRecording) ?? false
    }
}

/// One page of the authorised user's call logs (`GET /v1/callLogs`).
public struct CallLogPage: Equatable, Sendable {
    /// The logs on this page.
    public var callLogs: [CallLog]
    /// The `start` of the next page, or `nil` on the last page.
    public var nextStart: Int?

    /// Creates a page.
    public init(callLogs: [CallLog], nextStart: Int?) {
        self.callLogs = callLogs
        self.nextStart = nextStart
    }
}
