import CRe
import CReShim

/// libre's SIP stack for one user agent: the `struct sip`, its UDP transport and the event socket.
///
/// Created, used and closed on the ``LibreEventLoop`` thread only; it never leaves that thread.
final class UserAgentCore {
    private var sip: OpaquePointer?
    private var eventSocket: OpaquePointer?
    private let account: SIPAccount
    private let events: AsyncStream<SIPUserAgentEvent>.Continuation
    private var subscriptions: [SIPSubscriptionID: SubscriptionContext] = [:]
    private var nextSubscription: UInt64 = 1

    init(configuration: SIPUserAgentConfiguration, events: AsyncStream<SIPUserAgentEvent>.Continuation)
        throws(SIPUserAgentError)
    {
        account = configuration.account
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
        var socket: OpaquePointer?
        let listenError = sipevent_listen(&socket, stack, 32, 32, nil, nil)
        guard listenError == 0, let socket else {
            close()
            throw .libre(operation: "sipevent_listen", errno: listenError)
        }
        eventSocket = socket
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
        let error = creshim_sipevent_subscribe(
            &handle, eventSocket, target, account.displayName, account.uri, event, expires, account.username,
            authenticateSubscription, argument, receiveSubscriptionNotify, closeSubscription, argument,
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
