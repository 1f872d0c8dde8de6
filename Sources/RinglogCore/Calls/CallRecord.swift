/// One logged call: what `ringlog replay` writes, one JSON object per line, and what later stages match
/// against the CRM.
///
/// The JSON form has exactly these keys: `call_id`, `direction`, `from`, `to`, `extension`, `started_at`,
/// `answered_at`, `ended_at`, `ring_seconds`, `talk_seconds`, `outcome`, `complete`. Times are ISO 8601 UTC
/// with milliseconds; durations are seconds with one decimal. The other properties (``callIDs``,
/// ``answeringURI``, ``transfers``) are kept for later stages and are not part of the JSON.
public struct CallRecord: Codable, Sendable, Equatable {
    /// The Call-ID that identifies the call: the main dialog's (the trunk leg for inbound calls).
    public var callID: String
    /// Inbound, outbound, internal or unknown (no site description).
    public var direction: CallDirection
    /// The calling number: E.164 when it normalises, else the URI user part as seen.
    public var from: String?
    /// The called number: E.164 when it normalises, else the URI user part as seen.
    public var to: String?
    /// Inbound: the extension that answered, or for an unanswered call the extension or ring group called;
    /// outbound: the extension that called; internal: the extension that answered (else the one called).
    public var extensionNumber: String?
    /// The first INVITE (before any 401/407 challenge).
    public var startedAt: CaptureTime
    /// The answer (first 2xx), or `nil`.
    public var answeredAt: CaptureTime?
    /// The end: the first BYE of an answered call, the CANCEL or final response of an unanswered one.
    public var endedAt: CaptureTime?
    /// Seconds from the start to the answer, or to the end of ringing for an unanswered call; the tracker
    /// rounds it to one decimal.
    public var ringSeconds: Double
    /// Seconds from the answer to the end; 0 when unanswered; the tracker rounds it to one decimal.
    public var talkSeconds: Double
    /// How the call ended.
    public var outcome: CallOutcome
    /// `false` when the call was still open at the end of the input or was evicted as stale.
    public var complete: Bool
    /// Every Call-ID that makes up the call (legs, challenge re-sends share one, transfers add more).
    public var callIDs: [String]
    /// The Contact URI of the party that answered last, when someone answered.
    public var answeringURI: String?
    /// The transfers inside the call, in order.
    public var transfers: [CallTransfer]

    /// Creates a record.
    public init(
        callID: String, direction: CallDirection, from: String?, to: String?, extensionNumber: String?,
        startedAt: CaptureTime, answeredAt: CaptureTime?, endedAt: CaptureTime?, ringSeconds: Double,
        talkSeconds: Double, outcome: CallOutcome, complete: Bool, callIDs: [String] = [],
        answeringURI: String? = nil, transfers: [CallTransfer] = []
    ) {
        self.callID = callID
        self.direction = direction
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.ringSeconds = ringSeconds
        self.talkSeconds = talkSeconds
        self.outcome = outcome
        self.complete = complete
        self.callIDs = callIDs.isEmpty ? [callID] : callIDs
        self.transfers = transfers
        setTexts(from: from, to: to, extensionNumber: extensionNumber, answeringURI: answeringURI)
    }

    /// Stores the optional strings outside the initializer's own assignments (see
    /// ``CapturedPacket/init(timestamp:source:destination:transport:payload:correlationID:captureAgentID:)``:
    /// assigned there, the whole record is copied and the original destroyed).
    private mutating func setTexts(from: String?, to: String?, extensionNumber: String?, answeringURI: String?) {
        self.from = from
        self.to = to
        self.extensionNumber = extensionNumber
        self.answeringURI = answeringURI
    }

    private enum CodingKeys: String, CodingKey {
        case callID = "call_id"
        case direction, from, to
        case extensionNumber = "extension"
        case startedAt = "started_at"
        case answeredAt = "answered_at"
        case endedAt = "ended_at"
        case ringSeconds = "ring_seconds"
        case talkSeconds = "talk_seconds"
        case outcome, complete
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func time(_ key: CodingKeys) throws -> CaptureTime? {
            guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let time = ISO8601Timestamp.time(from: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "'\(text)' is not YYYY-MM-DDTHH:MM:SS.mmmZ")
            }
            return time
        }
        guard let startedAt = try time(.startedAt) else {
            throw DecodingError.valueNotFound(
                String.self,
                DecodingError.Context(codingPath: [CodingKeys.startedAt], debugDescription: "started_at is required"))
        }
        self.init(
            callID: try container.decode(String.self, forKey: .callID),
            direction: try container.decode(CallDirection.self, forKey: .direction),
            from: try container.decodeIfPresent(String.self, forKey: .from),
            to: try container.decodeIfPresent(String.self, forKey: .to),
            extensionNumber: try container.decodeIfPresent(String.self, forKey: .extensionNumber),
            startedAt: startedAt, answeredAt: try time(.answeredAt), endedAt: try time(.endedAt),
            ringSeconds: try container.decode(Double.self, forKey: .ringSeconds),
            talkSeconds: try container.decode(Double.self, forKey: .talkSeconds),
            outcome: try container.decode(CallOutcome.self, forKey: .outcome),
            complete: try container.decode(Bool.self, forKey: .complete))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(callID, forKey: .callID)
        try container.encode(direction, forKey: .direction)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(extensionNumber, forKey: .extensionNumber)
        try container.encode(ISO8601Timestamp.string(from: startedAt), forKey: .startedAt)
        try container.encode(answeredAt.map(ISO8601Timestamp.string(from:)), forKey: .answeredAt)
        try container.encode(endedAt.map(ISO8601Timestamp.string(from:)), forKey: .endedAt)
        try container.encode(ringSeconds, forKey: .ringSeconds)
        try container.encode(talkSeconds, forKey: .talkSeconds)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(complete, forKey: .complete)
    }

    /// The record as one line of JSON (no trailing newline), keys in the documented order, durations with
    /// one decimal (`3.0`), absent values as `null`.
    public var jsonLine: String {
        // Written as UTF-8 bytes and made a string once: `ringlog replay` writes one line per call.
        var object = JSONObjectWriter()
        object.string("call_id", callID)
        object.string("direction", direction.rawValue)
        object.string("from", from)
        object.string("to", to)
        object.string("extension", extensionNumber)
        object.time("started_at", startedAt)
        object.time("answered_at", answeredAt)
        object.time("ended_at", endedAt)
        object.oneDecimal("ring_seconds", ringSeconds)
        object.oneDecimal("talk_seconds", talkSeconds)
        object.string("outcome", outcome.rawValue)
        object.literal("complete", complete ? "true" : "false")
        return object.text
    }
}

/// One JSON object's members, written in order as UTF-8 bytes (keys are ASCII and need no escaping).
private struct JSONObjectWriter {
    private var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(320)
        bytes.append(UInt8(ascii: "{"))
    }

    /// The object's text.
    var text: String { String(decoding: bytes + [UInt8(ascii: "}")], as: UTF8.self) }

    /// A string member, `null` when `value` is `nil`.
    mutating func string(_ key: String, _ value: String?) {
        self.key(key)
        JSONText.appendOptionalString(value, to: &bytes)
    }

    /// A time member in ``ISO8601Timestamp`` form, `null` when `value` is `nil`.
    mutating func time(_ key: String, _ value: CaptureTime?) {
        self.key(key)
        JSONText.appendTime(value, to: &bytes)
    }

    /// A number member with one decimal.
    mutating func oneDecimal(_ key: String, _ value: Double) {
        self.key(key)
        JSONText.appendOneDecimal(value, to: &bytes)
    }

    /// A member whose value is `text` as it is (`true`, `false`).
    mutating func literal(_ key: String, _ text: String) {
        self.key(key)
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func key(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: key.utf8)
        bytes.append(contentsOf: #"":"#.utf8)
    }
}

/// Small JSON text helpers for ``CallRecord/jsonLine``, writing UTF-8 bytes.
enum JSONText {
    static func appendOptionalString(_ value: String?, to text: inout [UInt8]) {
        if let value { appendString(value, to: &text) } else { text.append(contentsOf: "null".utf8) }
    }

    /// `value` as a JSON string: quotes, backslashes and control characters escaped, everything else as its
    /// UTF-8 bytes (the bytes of a character outside ASCII are all 0x80 or more, so none is escaped).
    static func appendString(_ value: String, to text: inout [UInt8]) {
        text.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): text.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): text.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): text.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): text.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): text.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                text.append(contentsOf: #"\u00"#.utf8)
                text.append(hexDigits[Int(byte >> 4)])
                text.append(hexDigits[Int(byte & 0xf)])
            default: text.append(byte)
            }
        }
        text.append(UInt8(ascii: "\""))
    }

    /// Lower-case hexadecimal digits, for `\u00XX`.
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A time as a JSON string in ``ISO8601Timestamp`` form, or `null`.
    static func appendTime(_ time: CaptureTime?, to text: inout [UInt8]) {
        guard let time else {
            text.append(contentsOf: "null".utf8)
            return
        }
        text.append(UInt8(ascii: "\""))
        ISO8601Timestamp.append(time, to: &text)
        text.append(UInt8(ascii: "\""))
    }

    /// `value` as ``oneDecimal(_:)`` writes it.
    static func appendOneDecimal(_ value: Double, to text: inout [UInt8]) {
        text.append(contentsOf: oneDecimal(value).utf8)
    }

    /// `x` rounded to one decimal, always written with one decimal digit (`0.0`, `12.5`, `-1.0`).
    static func oneDecimal(_ value: Double) -> String {
        guard value.isFinite else { return "0.0" }
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
