import Glibc
import RinglogCore

/// The dialog-event call source, for PBXes that cannot send HEP: subscribes to the RFC 4235 `dialog`
/// package of each configured extension, keeps the subscriptions alive (libre refreshes them; one that
/// ends is subscribed again after ``resubscribeDelay``), parses every NOTIFY body and feeds a
/// ``DialogEventTracker``, whose closed calls it delivers.
public struct DialogEventSource: Sendable {
    /// The user agent; the source consumes its ``SIPUserAgent/events`` (one consumer only).
    public var agent: SIPUserAgent
    /// The extensions to watch, e.g. `["1001", "1002"]`.
    public var extensions: [String]
    /// The domain of their addresses: ringlog subscribes to `sip:EXTENSION@DOMAIN`.
    public var domain: String
    /// The Expires value asked for.
    public var expiresSeconds: UInt32
    /// The tracker the bodies go to (its configuration says which numbers are internal).
    public var tracker: DialogEventTracker
    /// How long to wait before subscribing again after a subscription ended or was refused.
    public var resubscribeDelay: Duration
    /// How often stale calls are evicted and due re-subscriptions made.
    public var tick: Duration
    /// The wall clock, in the call records' time base.
    public var now: @Sendable () -> CaptureTime
    /// Called with the extension's name for every NOTIFY that arrives (also the first, often empty, one
    /// that confirms a subscription): for health checks and for tests that wait until all are active.
    public var onNotification: (@Sendable (String) -> Void)?

    /// Creates a source.
    public init(
        agent: SIPUserAgent, extensions: [String], domain: String, expiresSeconds: UInt32 = 600,
        tracker: DialogEventTracker, resubscribeDelay: Duration = .seconds(30), tick: Duration = .seconds(5),
        now: @escaping @Sendable () -> CaptureTime = DialogEventSource.wallClock,
        onNotification: (@Sendable (String) -> Void)? = nil
    ) {
        self.agent = agent
        self.extensions = extensions
        self.domain = domain
        self.expiresSeconds = expiresSeconds
        self.tracker = tracker
        self.resubscribeDelay = resubscribeDelay
        self.tick = tick
        self.now = now
        self.onNotification = onNotification
    }

    /// The system's real-time clock.
    public static let wallClock: @Sendable () -> CaptureTime = {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return CaptureTime(seconds: Int64(time.tv_sec), microseconds: Int64(time.tv_nsec / 1000))
    }

    private enum Input: Sendable {
        case agent(SIPUserAgentEvent)
        case tick
    }

    /// Subscribes and runs until the task is cancelled or the agent shuts down; `deliver` gets every
    /// closed call in order, and at the end the calls still open, marked incomplete.
    /// - Throws: ``SIPUserAgentError`` when the agent has been shut down before the first subscription.
    public func run(deliver: @Sendable (CallRecord) async -> Void) async throws(SIPUserAgentError) {
        var tracker = tracker
        var watched: [SIPSubscriptionID: String] = [:]
        var due: [String: ContinuousClock.Instant] = [:]
        for name in extensions {
            watched[try await agent.subscribe(to: uri(name), expires: expiresSeconds)] = name
        }
        let (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
        let pump = Task { [agent] in
            for await event in agent.events { continuation.yield(.agent(event)) }
            continuation.finish()
        }
        let ticker = Task { [tick] in
            while !Task.isCancelled {
                try await Task.sleep(for: tick)
                continuation.yield(.tick)
            }
        }
        defer {
            pump.cancel()
            ticker.cancel()
            continuation.finish()
        }
        await withTaskCancellationHandler {
            for await input in inputs {
                switch input {
                case .agent(.notification(let notification)):
                    if let name = watched[notification.subscription] { onNotification?(name) }
                    guard let name = watched[notification.subscription], !notification.body.isEmpty,
                        let info = try? DialogInfo(parsing: notification.body)
                    else { continue }
                    for record in tracker.observe(info, extension: name, at: now()) { await deliver(record) }
                case .agent(.subscriptionEnded(let id, _, _)):
                    if let name = watched.removeValue(forKey: id) {
                        due[name] = ContinuousClock.now + resubscribeDelay
                    }
                case .tick:
                    for record in tracker.evictStale(at: now()) { await deliver(record) }
                    let ready = due.filter { $0.value <= ContinuousClock.now }.map(\.key).sorted()
                    for name in ready {
                        due[name] = nil
                        tracker.subscriptionRestarted(extension: name)
                        do {
                            watched[try await agent.subscribe(to: uri(name), expires: expiresSeconds)] = name
                        } catch {
                            due[name] = ContinuousClock.now + resubscribeDelay
                        }
                    }
                }
            }
        } onCancel: {
            continuation.finish()
        }
        for record in tracker.finishAll(at: now()) { await deliver(record) }
        for id in watched.keys { await agent.unsubscribe(id) }
    }

    private func uri(_ name: String) -> String { "sip:\(name)@\(domain)" }
}
