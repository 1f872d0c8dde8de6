/// How the call tracker classifies calls and how long it keeps state.
public struct CallTrackerConfiguration: Sendable {
    /// The site: PBX and trunk addresses, extension pattern. `nil`: every dialog is its own record and the
    /// direction is `unknown`.
    public var site: SiteDescription?
    /// Normalises numbers to E.164; a number that does not normalise is reported as the URI user part.
    public var normalizer: PhoneNumberNormalizer
    /// How long a finished call waits for more legs (a challenge re-send, a transfer's new dialog, a
    /// back-to-back PBX's other legs) before its record comes out.
    public var closingGraceSeconds: Double
    /// How long a finished call waits when nothing more can join it: every leg hung up after its answer or
    /// given a final answer that is not a 401/407 challenge, no REFER waiting for its new dialog, and (with a
    /// site) not an unanswered call to a back-to-back PBX whose own legs have not been seen. `ringlog run`
    /// sets it to 0, so that the call log follows the hang-up at once; by default it equals
    /// ``closingGraceSeconds``. A call closed before its whole grace ignores the stray copies of its
    /// messages (an ACK, a retransmitted BYE) that arrive in the rest of that grace.
    public var settledClosingGraceSeconds: Double
    /// A call never answered and silent this long is evicted as incomplete (INVITE transactions end after
    /// 3 minutes at most).
    public var unansweredTimeoutSeconds: Double
    /// A call older than this (from its first INVITE) and not ended is evicted as incomplete: its BYE was lost.
    public var maximumCallAgeSeconds: Double
    /// The most dialogs kept open at once; beyond it the least recently active calls are evicted as incomplete.
    public var maximumOpenDialogs: Int
    /// How far apart a back-to-back PBX's legs may start and still be joined by numbers, in seconds.
    public var legCorrelationWindowSeconds: Double
    /// How long after a REFER the transferee's new INVITE is expected, in seconds.
    public var referWindowSeconds: Double

    /// Creates a configuration; every limit has a default that suits a small office PBX.
    public init(
        site: SiteDescription? = nil, normalizer: PhoneNumberNormalizer = PhoneNumberNormalizer(),
        closingGraceSeconds: Double = 4, unansweredTimeoutSeconds: Double = 300,
        maximumCallAgeSeconds: Double = 6 * 3600, maximumOpenDialogs: Int = 50_000,
        legCorrelationWindowSeconds: Double = 120, referWindowSeconds: Double = 32,
        settledClosingGraceSeconds: Double? = nil
    ) {
        self.site = site
        self.normalizer = normalizer
        self.closingGraceSeconds = closingGraceSeconds
        self.settledClosingGraceSeconds = min(settledClosingGraceSeconds ?? closingGraceSeconds, closingGraceSeconds)
        self.unansweredTimeoutSeconds = unansweredTimeoutSeconds
        self.maximumCallAgeSeconds = maximumCallAgeSeconds
        self.maximumOpenDialogs = max(1, maximumOpenDialogs)
        self.legCorrelationWindowSeconds = legCorrelationWindowSeconds
        self.referWindowSeconds = referWindowSeconds
    }
}
