/// How a call ended.
public enum CallOutcome: String, Codable, Sendable, Equatable {
    /// Someone answered.
    case answered
    /// Nobody answered, or the caller gave up while it rang.
    case missed
    /// The callee was busy (486, 600).
    case busy
    /// The callee refused the call (603, or a 403 that is the callee's answer).
    case declined
    /// Any other failure, including a caller's failed authentication.
    case failed
    /// The caller's side cancelled because another device took the call ("Call completed elsewhere").
    case answeredElsewhere = "answered_elsewhere"
}
