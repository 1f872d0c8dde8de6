/// A click-to-call by third-party call control: ringlog INVITEs the user's own phone and, once it
/// answers, sends it a REFER to the target, then hangs up its own leg.
public struct ThirdPartyCallRequest: Sendable, Equatable {
    /// The user's phone, e.g. `sip:1001@pbx.example.com`.
    public var phoneURI: String
    /// Where the phone is sent, e.g. `sip:0401234567@pbx.example.com`.
    public var targetURI: String
    /// Extra header lines on the INVITE (auto-answer hints such as `Call-Info: <sip:pbx>;answer-after=0`).
    public var extraHeaders: [String]
    /// How long the phone may ring.
    public var answerTimeout: Duration
    /// How long the PBX may stay silent before it counts as unreachable.
    public var responseTimeout: Duration
    /// How long the user agent stays up after hanging up its leg, so that libre completes the BYE and
    /// answers the phone's last NOTIFYs (a phone whose BYE or NOTIFY gets no answer retries for 32 s).
    public var linger: Duration

    /// Creates a request.
    public init(
        phoneURI: String, targetURI: String, extraHeaders: [String] = [], answerTimeout: Duration = .seconds(30),
        responseTimeout: Duration = .seconds(8), linger: Duration = .seconds(1)
    ) {
        self.phoneURI = phoneURI
        self.targetURI = targetURI
        self.extraHeaders = extraHeaders
        self.answerTimeout = answerTimeout
        self.responseTimeout = responseTimeout
        self.linger = linger
    }
}

/// How a click-to-call went when it worked.
public struct ThirdPartyCallResult: Sendable, Equatable {
    /// The final response to the REFER, usually 202 Accepted.
    public var referStatusCode: Int
    /// The Call-ID of ringlog's own leg to the phone.
    public var callID: String?

    /// Creates a result.
    public init(referStatusCode: Int, callID: String?) {
        self.referStatusCode = referStatusCode
        self.callID = callID
    }
}

/// Why a click-to-call failed, one case per thing the user can act on.
public enum ThirdPartyCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No response from the PBX at all (or the network refused): wrong address, PBX down, firewall.
    case unreachable(errno: Int32?)
    /// The PBX refused ringlog's credentials (401/407 again after answering the challenge, or 403).
    case authenticationFailed(statusCode: Int)
    /// The PBX does not know the user's extension (404, 484, 604).
    case unknownExtension(statusCode: Int, reason: String?)
    /// The user's phone did not answer: it rang out (`statusCode` nil), was busy, declined or unavailable.
    case notAnswered(statusCode: Int?, reason: String?)
    /// The phone answered but the REFER to the target was refused (or got no answer: `statusCode` nil).
    case referRefused(statusCode: Int?, reason: String?)
    /// The call ended for another reason: libre's errno and the last status, if any.
    case failed(errno: Int32, statusCode: Int?, reason: String?)
    /// The user agent could not start the call.
    case agent(SIPUserAgentError)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .unreachable:
            "the PBX did not answer"
        case .authenticationFailed(let code):
            "the PBX refused the SIP credentials (\(code))"
        case .unknownExtension(let code, let reason):
            "the PBX does not know the extension (\(Self.status(code, reason)))"
        case .notAnswered(nil, _):
            "the phone did not answer in time"
        case .notAnswered(let code?, let reason):
            "the phone did not answer (\(Self.status(code, reason)))"
        case .referRefused(nil, _):
            "the PBX did not answer the REFER"
        case .referRefused(let code?, let reason):
            "the PBX refused the REFER (\(Self.status(code, reason)))"
        case .failed(let errno, let code, let reason):
            code.map { "the call failed (\(Self.status($0, reason)))" } ?? "the call failed (errno \(errno))"
        case .agent(let error):
            error.description
        }
    }

    private static func status(_ code: Int, _ reason: String?) -> String {
        reason.map { "\(code) \($0)" } ?? "\(code)"
    }
}
