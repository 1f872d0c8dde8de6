import CRe
import CReShim

/// libre's SIP stack for one user agent: the `struct sip`, its UDP transport and the event socket.
///
/// Created, used and closed on the ``LibreEventLoop`` thread only; it never leaves that thread.
final class UserAgentCore {
    private var sip: OpaquePointer?
    private var eventSocket: OpaquePointer?
    private var sessionSocket: OpaquePointer?
    private let account: SIPAccount
    private let outboundProxy: String?
    private let localAddress: String
    private var calls: [UInt64: OutboundCallContext] = [:]
    private let referNotifies = ReferNotifyListener()
    /// Where libre keeps the REFER-NOTIFY listener (`struct sip_lsnr *`). libre remembers this address and
    /// writes `NULL` to it when the listener is destroyed, so it must be memory that outlives the listener,
    /// not a local variable; it is freed in `deinit`, after ``close()`` destroyed the listener and the stack.
    private let referListenerSlot: UnsafeMutablePointer<OpaquePointer?> = {
        let slot = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
        slot.initialize(to: nil)
        return slot
    }()
    private var nextCall: UInt64 = 1
    private let events: AsyncStream<SIPUserAgentEvent>.Continuation
    private var subscriptions: [SIPSubscriptionID: SubscriptionContext] = [:]
    private var nextSubscription: UInt64 = 1

    deinit {
        // ``close()`` runs on the loop thread before the core is let go (``LibreEventLoop``); should it not have,
        // libre may still write to the slot, which is then left allocated rather than freed under it.
        guard referListenerSlot.pointee == nil, sip == nil else { return }
        referListenerSlot.deinitialize(count: 1)
        referListenerSlot.deallocate()
    }

    init(configuration: SIPUserAgentConfiguration, events: AsyncStream<SIPUserAgentEvent>.Continuation)
        throws(SIPUserAgentError)
    {
        account = configuration.account
        outboundProxy = configuration.outboundProxy
        localAddress = configuration.localAddress
        self.events = events
        var localAddress = sa()
        guard sa_set_str(&localAddress, configuration.localAddress, configuration.localPort) == 0 else {
            throw .invalidLocalAddress(configuration.localAddress)
        }
        // No DNS client: request URIs must carry IP addresses. Hash table sizes as libre's examples use.
        var stack: OpaquePointer?
        let allocError = sip_alloc(&stack, nil, 32, 32, 32, configuration.userAgentName, nil, nil)
        guard allocError == 0, let stack else { throw .libre(operation: "sip_alloc", errno: allocError) }
        sip = stack
        let transportError = creshim_sip_transp_add_udp(stack, &localAddress)
        guard transportError == 0 else {
            close()
            throw .libre(operation: "sip_transp_add", errno: transportError)
        }
        // Before libre's event socket, which would answer the REFER's NOTIFYs with 481.
        referNotifies.sip = stack
        let listenerError = sip_listen(
            referListenerSlot, stack, true, ReferNotifyListener.handler,
            Unmanaged.passUnretained(referNotifies).toOpaque())
        guard listenerError == 0 else {
            close()
            throw .libre(operation: "sip_listen", errno: listenerError)
        }
        var socket: OpaquePointer?
        let listenError = sipevent_listen(&socket, stack, 32, 32, nil, nil)
        guard listenError == 0, let socket else {
            close()
            throw .libre(operation: "sipevent_listen", errno: listenError)
        }
        eventSocket = socket
        var sessions: OpaquePointer?
        // Incoming calls are declined: ringlog places calls, it never takes them.
        let sessionError = sipsess_listen(
            &sessions, stack, 32,
            { message, argument in
                guard let message, let argument else { return }
                _ = sip_treply(nil, OpaquePointer(argument), message, 603, "Decline")
            }, UnsafeMutableRawPointer(stack))
        guard sessionError == 0, let sessions else {
            close()
            throw .libre(operation: "sipsess_listen", errno: sessionError)
        }
        sessionSocket = sessions
    }

    /// INVITEs `phoneURI` with an inactive SDP offer and `extraHeaders`; once it answers, REFERs it to
    /// `targetURI`. Progress arrives on `events`; returns the call's number for ``hangUp(_:)``.
    func startCall(
        phoneURI: String, targetURI: String, extraHeaders: [String],
        events callEvents: AsyncStream<OutboundCallEvent>.Continuation
    ) -> Result<UInt64, SIPUserAgentError> {
        guard let sip, let sessionSocket else { return .failure(.stopped) }
        let context = OutboundCallContext(
            account: account, targetURI: targetURI,
            sessionDescription: OutboundCallContext.sessionDescription(localAddress: localAddress), sip: sip,
            events: callEvents)
        guard let description = context.descriptionBuffer() else {
            return .failure(.libre(operation: "mbuf_alloc", errno: ENOMEM))
        }
        defer { _ = mem_deref(description) }
        let argument = Unmanaged.passRetained(context).toOpaque()
        var session: OpaquePointer?
        let headers = extraHeaders.map { $0 + "\r\n" }.joined()
        let error = creshim_sipsess_connect(
            &session, sessionSocket, phoneURI, account.displayName, account.uri, account.username, outboundProxy,
            "application/sdp", description, authenticateOutboundCall, argument, offerOutboundCall,
            answerOutboundCall, progressOutboundCall, establishOutboundCall, closeOutboundCall, argument, headers)
        guard error == 0, let session else {
            Unmanaged<OutboundCallContext>.fromOpaque(argument).release()
            return .failure(.libre(operation: "sipsess_connect", errno: error))
        }
        context.session = session
        if let dialog = sipsess_dialog(session), let callID = sip_dialog_callid(dialog) {
            referNotifies.expect(callID: String(cString: callID))
        }
        let id = nextCall
        nextCall += 1
        context.onEnd = { [weak self] in self?.calls[id] = nil }
        calls[id] = context
        return .success(id)
    }

    /// Ends a call: CANCEL while it rings, BYE once answered. Returns whether it was still known.
    @discardableResult
    func hangUp(_ id: UInt64) -> Bool {
        guard let context = calls[id] else { return false }
        context.end()
        return true
    }

    /// Sends a SUBSCRIBE (answering digest challenges with the account's credentials) and keeps the
    /// subscription refreshed until it ends or the core closes.
    func subscribe(to target: String, event: String, accept: String, expires: UInt32)
        -> Result<SIPSubscriptionID, SIPUserAgentError>
    {
        guard let eventSocket else { return .failure(.stopped) }
        let id = SIPSubscriptionID(rawValue: nextSubscription)
        nextSubscription += 1
        let context = SubscriptionContext(id: id, account: account, events: events)
        let argument = Unmanaged.passRetained(context).toOpaque()
        var handle: OpaquePointer?
        let error = creshim_sipevent_subscribe_routed(
            &handle, eventSocket, target, account.displayName, account.uri, event, expires, account.username,
            outboundProxy, authenticateSubscription, argument, receiveSubscriptionNotify, closeSubscription, argument,
            "Accept: \(accept)\r\n")
        guard error == 0, let handle else {
            Unmanaged<SubscriptionContext>.fromOpaque(argument).release()
            return .failure(.libre(operation: "sipevent_subscribe", errno: error))
        }
        context.handle = handle
        context.onEnd = { [weak self] id in self?.subscriptions[id] = nil }
        subscriptions[id] = context
        return .success(id)
    }

    /// Ends one subscription; libre sends a SUBSCRIBE with `Expires: 0` if it is still active.
    /// Returns whether the subscription was still known.
    func unsubscribe(_ id: SIPSubscriptionID) -> Bool {
        guard let context = subscriptions[id] else { return false }
        context.end(reporting: nil)
        return true
    }

    /// Ends every subscription (libre sends an un-SUBSCRIBE for live ones), then releases the stack.
    /// Safe to call more than once.
    func close() {
        for context in Array(subscriptions.values) {
            context.end(reporting: nil)
        }
        subscriptions = [:]
        for context in Array(calls.values) {
            context.end()
        }
        calls = [:]
        if let sessionSocket {
            _ = mem_deref(UnsafeMutableRawPointer(sessionSocket))
            self.sessionSocket = nil
        }
        if let referListener = referListenerSlot.pointee {
            // The listener's destructor sets the slot to nil.
            _ = mem_deref(UnsafeMutableRawPointer(referListener))
            referListenerSlot.pointee = nil
        }
        if let eventSocket {
            _ = mem_deref(UnsafeMutableRawPointer(eventSocket))
            self.eventSocket = nil
        }
        if let sip {
            sip_close(sip, true)
            _ = mem_deref(UnsafeMutableRawPointer(sip))
            self.sip = nil
            events.finish()
        }
    }
}
