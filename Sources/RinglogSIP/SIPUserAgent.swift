/// A SIP user agent built on libre: dialog-event subscriptions (RFC 4235) with digest authentication.
///
/// libre runs on a thread of its own (``LibreEventLoop``); each method posts its work there and awaits
/// the outcome, so no libre call blocks Swift's cooperative pool. Notifications and subscription ends
/// arrive on ``events``. Call ``shutdown()`` when done; dropping the last reference also stops the
/// thread, without waiting.
public final class SIPUserAgent: Sendable {
    /// NOTIFYs and subscription ends, in arrival order. Finishes after ``shutdown()``.
    public let events: AsyncStream<SIPUserAgentEvent>
    let loop: LibreEventLoop<UserAgentCore>

    /// Starts libre's SIP stack on its own thread with a UDP transport on the configured address.
    /// - Throws: ``SIPUserAgentError`` when the address is invalid or libre cannot start.
    public init(configuration: SIPUserAgentConfiguration) async throws(SIPUserAgentError) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: SIPUserAgentEvent.self, bufferingPolicy: .bufferingNewest(1_000))  // never block libre's thread
        events = stream
        loop = try await LibreEventLoop(
            name: "ringlog-sip-ua",
            makeCore: { () throws(SIPUserAgentError) -> UserAgentCore in
                try UserAgentCore(configuration: configuration, events: continuation)
            },
            close: { $0.close() })
    }

    deinit {
        loop.requestStop()
    }

    /// Subscribes to an event package at `target`, e.g. `sip:1001@127.0.0.1:15060` for the dialog state
    /// of extension 1001. Returns once the SUBSCRIBE is sent; challenges (401/407) are answered with the
    /// account's credentials, and the outcome arrives on ``events``.
    /// - Throws: ``SIPUserAgentError`` when libre cannot send the request or the agent is shut down.
    public func subscribe(
        to target: String, event: String = "dialog", accept: String = "application/dialog-info+xml",
        expires: UInt32 = 600
    ) async throws(SIPUserAgentError) -> SIPSubscriptionID {
        let result: Result<SIPSubscriptionID, SIPUserAgentError> = await withCheckedContinuation { continuation in
            loop.post(
                { core in
                    continuation.resume(
                        returning: core.subscribe(to: target, event: event, accept: accept, expires: expires))
                }, ifStopped: { continuation.resume(returning: .failure(.stopped)) })
        }
        return try result.get()
    }

    /// Ends a subscription: libre sends a SUBSCRIBE with `Expires: 0` when it is still active, and no
    /// further events arrive for it. Returns `false` when it had already ended (or the agent is shut down).
    @discardableResult
    public func unsubscribe(_ subscription: SIPSubscriptionID) async -> Bool {
        await withCheckedContinuation { continuation in
            loop.post(
                { core in continuation.resume(returning: core.unsubscribe(subscription)) },
                ifStopped: { continuation.resume(returning: false) })
        }
    }

    /// Ends all subscriptions, stops libre's thread and waits for it; ``events`` then finishes.
    public func shutdown() async {
        await loop.stop()
    }
}
