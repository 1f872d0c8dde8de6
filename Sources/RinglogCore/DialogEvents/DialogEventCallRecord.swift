/// One call learnt from dialog events, with the fields of the HEP call tracker's call record
/// (`call_id`, `direction`, `from`, `to`, `extension`, `started_at`, `answered_at`, `ended_at`,
/// `ring_seconds`, `talk_seconds`, `outcome`, `complete`), so later stages treat both sources alike.
///
/// Times are when ringlog received the NOTIFY that showed the change, not when the PBX saw the SIP
/// message: precise to the PBX's publishing delay (typically well under a second).
public struct DialogEventCallRecord: Sendable, Equatable {
    /// The SIP Call-ID when the PBX tells it, else `dialog:EXTENSION:ID` (Asterisk sends no Call-ID).
    public var callID: String
    /// Inbound, outbound, internal, or unknown when the PBX does not say who the other party is.
    public var direction: DialogEventCallDirection
    /// The calling number or extension: E.164 when it normalises, else the URI user part; `nil` when unknown.
    public var from: String?
    /// The called number or extension (for a ring group, the group's number when the PBX names it).
    public var to: String?
    /// Inbound: the extension that answered (first to report `confirmed`), else the first that rang;
    /// outbound and internal: the calling extension.
    public var extensionNumber: String?
    /// When the call was first seen (its first `trying`, `proceeding`, `early` or `confirmed`).
    public var startedAt: CaptureTime
    /// When it was first seen `confirmed`.
    public var answeredAt: CaptureTime?
    /// When it was seen `terminated` (or left a full-state document); `nil` when incomplete.
    public var endedAt: CaptureTime?
    /// Seconds from the start to the answer, or to the end of an unanswered call.
    public var ringSeconds: Double
    /// Seconds from the answer to the end; 0 when unanswered.
    public var talkSeconds: Double
    /// How the call ended, as far as dialog events tell.
    public var outcome: DialogEventCallOutcome
    /// `false` when the call was evicted or still open at shutdown.
    public var complete: Bool
    /// Every watched extension that reported the call.
    public var extensions: [String]

    /// Creates a record.
    public init(
        callID: String, direction: DialogEventCallDirection, from: String?, to: String?, extensionNumber: String?,
        startedAt: CaptureTime, answeredAt: CaptureTime?, endedAt: CaptureTime?, ringSeconds: Double,
        talkSeconds: Double, outcome: DialogEventCallOutcome, complete: Bool, extensions: [String]
    ) {
        self.callID = callID
        self.direction = direction
        self.from = from
        self.to = to
        self.extensionNumber = extensionNumber
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.ringSeconds = ringSeconds
        self.talkSeconds = talkSeconds
        self.outcome = outcome
        self.complete = complete
        self.extensions = extensions
    }
}

/// Which way a call went; the raw values are the call record's `direction` values.
public enum DialogEventCallDirection: String, Sendable, Equatable {
    /// From outside to an extension.
    case inbound
    /// From an extension to outside.
    case outbound
    /// Between extensions.
    case `internal`
    /// The PBX did not say (no direction or remote party in its dialog-info).
    case unknown
}

/// How a call ended; the raw values are the call record's `outcome` values.
public enum DialogEventCallOutcome: String, Sendable, Equatable {
    /// Someone answered.
    case answered
    /// Nobody answered (also busy and declined calls when the PBX gives no status code).
    case missed
    /// The state carried code 486 or 600.
    case busy
    /// The state carried code 603.
    case declined
    /// The state ended with event `error`, or another 4xx-6xx code.
    case failed
}
