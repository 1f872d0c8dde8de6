/// Identifies one subscription of a ``SIPUserAgent``.
public struct SIPSubscriptionID: Hashable, Sendable, CustomStringConvertible {
    /// A number unique within one user agent.
    public let rawValue: UInt64

    /// Creates an identifier.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The number as text.
    public var description: String { "subscription \(rawValue)" }
}

/// A NOTIFY the user agent received (and answered with 200 OK) for one of its subscriptions.
public struct SIPNotification: Sendable, Equatable {
    /// The subscription it belongs to.
    public var subscription: SIPSubscriptionID
    /// The Event header value, e.g. `dialog`.
    public var event: String?
    /// The Subscription-State header value, e.g. `active;expires=600`.
    public var subscriptionState: String?
    /// The Content-Type `type/subtype`, lower case.
    public var contentType: String?
    /// The body bytes (for `dialog`, an RFC 4235 dialog-info XML document).
    public var body: [UInt8]

    /// Creates a notification.
    public init(
        subscription: SIPSubscriptionID, event: String?, subscriptionState: String?, contentType: String?,
        body: [UInt8]
    ) {
        self.subscription = subscription
        self.event = event
        self.subscriptionState = subscriptionState
        self.contentType = contentType
        self.body = body
    }
}

/// What the user agent reports from its libre thread.
public enum SIPUserAgentEvent: Sendable, Equatable {
    /// A NOTIFY arrived.
    case notification(SIPNotification)
    /// A subscription ended: refused, timed out, terminated by the notifier, or failed to refresh.
    /// `errno` is libre's error (0 when a SIP response or a terminating NOTIFY ended it) and
    /// `statusCode` the final SIP response, when there was one.
    case subscriptionEnded(SIPSubscriptionID, errno: Int32, statusCode: Int?)
}
