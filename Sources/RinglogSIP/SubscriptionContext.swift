import CRe

/// One subscription's state on the libre thread, and the context pointer libre's callbacks receive.
///
/// Confined to the loop thread. libre holds one retain (taken in ``UserAgentCore/subscribe``) until
/// the subscription ends or the core closes; ``end(errno:statusCode:)`` gives it back.
final class SubscriptionContext {
    let id: SIPSubscriptionID
    let username: String
    let password: String
    let events: AsyncStream<SIPUserAgentEvent>.Continuation
    /// libre's `struct sipsub *`, while the subscription lives.
    var handle: OpaquePointer?
    /// Called once when the subscription ends, so the core can forget it.
    var onEnd: ((SIPSubscriptionID) -> Void)?

    init(id: SIPSubscriptionID, account: SIPAccount, events: AsyncStream<SIPUserAgentEvent>.Continuation) {
        self.id = id
        self.username = account.username
        self.password = account.password
        self.events = events
    }

    /// Releases libre's subscription and libre's retain on this context; reports the end if asked.
    func end(reporting report: (errno: Int32, statusCode: Int?)?) {
        guard let handle else { return }
        self.handle = nil
        _ = mem_deref(UnsafeMutableRawPointer(handle))
        if let report {
            events.yield(.subscriptionEnded(id, errno: report.errno, statusCode: report.statusCode))
        }
        onEnd?(id)
        onEnd = nil
        Unmanaged.passUnretained(self).release()
    }

    /// The context behind a callback's `arg`.
    static func from(_ argument: UnsafeMutableRawPointer?) -> SubscriptionContext? {
        argument.map { Unmanaged<SubscriptionContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

// libre's callbacks for a subscription. A `@convention(c)` function cannot capture anything, so each
// finds its ``SubscriptionContext`` through the `arg` pointer. They run on the loop thread.

/// Digest credentials for any realm: libre frees the strings, so they are copied with `str_dup`.
func authenticateSubscription(
    username: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    password: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, realm: UnsafePointer<CChar>?,
    argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context = SubscriptionContext.from(argument) else { return EINVAL }
    let userError = context.username.withCString { str_dup(username, $0) }
    guard userError == 0 else { return userError }
    return context.password.withCString { str_dup(password, $0) }
}

/// Answers the NOTIFY with 200 OK (libre leaves that to the application) and reports it.
func receiveSubscriptionNotify(
    sip: OpaquePointer?, message: UnsafePointer<sip_msg>?, argument: UnsafeMutableRawPointer?
) {
    guard let message else { return }
    _ = sip_treply(nil, sip, message, 200, "OK")
    guard let context = SubscriptionContext.from(argument) else { return }
    let fields = message.pointee
    var body: [UInt8] = []
    if let buffer = fields.mb, let start = mbuf_buf(buffer) {
        body = Array(UnsafeBufferPointer(start: start, count: mbuf_get_left(buffer)))
    }
    var contentType: String?
    if let type = fields.ctyp.type.text, let subtype = fields.ctyp.subtype.text {
        contentType = "\(type)/\(subtype)".lowercased()
    }
    context.events.yield(
        .notification(
            SIPNotification(
                subscription: context.id, event: sip_msg_hdr(message, SIP_HDR_EVENT)?.pointee.val.text,
                subscriptionState: sip_msg_hdr(message, SIP_HDR_SUBSCRIPTION_STATE)?.pointee.val.text,
                contentType: contentType, body: body)))
}

/// The subscription ended; libre calls nothing of ours for it after this.
func closeSubscription(
    error: Int32, message: UnsafePointer<sip_msg>?, state: UnsafePointer<sipevent_substate>?,
    argument: UnsafeMutableRawPointer?
) {
    guard let context = SubscriptionContext.from(argument) else { return }
    let status = message.map { Int($0.pointee.scode) }.flatMap { $0 == 0 ? nil : $0 }
    context.end(reporting: (error, status))
}
