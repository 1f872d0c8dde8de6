import RinglogCore
import RinglogSIP
import Synchronization

/// The dialog-event call source of `ringlog run` (`"source": "dialog_events"`): ringlog subscribes with the
/// `sip` block's account to the `dialog` package of each extension in `sip.dialog_events` and turns the
/// NOTIFYs into call records (``DialogEventSource``), which take the same outbox → writer path as HEP calls.
///
/// ``stop()`` ends the subscriptions; calls still open then are delivered as incomplete records.
final class DaemonDialogEvents: Sendable {
    private let agent: SIPUserAgent
    private let source: DialogEventSource
    private let logger: DaemonLogger
    private let running = Locked<Task<Void, Never>?>(nil)
    private let stopped = Atomic<Bool>(false)
    private let description: String

    /// Starts the SIP user agent for `configuration`'s `sip` block.
    /// - Throws: ``DaemonFailure`` when the block is missing, the server cannot be resolved or routed to, the
    ///   password cannot be read, or libre cannot bind its UDP port.
    init(
        configuration: TenantConfiguration, path: String, tracker: CallTrackerConfiguration, logger: DaemonLogger
    ) async throws {
        guard let sip = configuration.sip, let settings = sip.dialogEvents else {
            throw DaemonFailure(
                "\(path): source \"dialog_events\" needs a sip block with dialog_events", exitCode: .configuration)
        }
        let server: SIPServerAddress
        do {
            server = try await SIPServerAddress.resolve(host: sip.server.address, port: sip.server.port)
        } catch {
            throw DaemonFailure(
                "cannot reach the PBX at sip.server \(sip.server) for dialog events: \(error); check the address "
                    + "in \(path)", exitCode: .unavailable)
        }
        let password = try ConfigurationLoader().secret(sip.password, key: "sip.password", configurationPath: path)
        let localAddress = sip.localAddress ?? server.localIP
        do {
            agent = try await SIPUserAgent(
                configuration: SIPUserAgentConfiguration(
                    account: SIPAccount(username: sip.username, password: password.value, domain: sip.domain),
                    localAddress: localAddress, localPort: sip.localPort, outboundProxy: server.outboundProxy))
        } catch {
            throw DaemonFailure(
                "cannot start the SIP user agent on \(localAddress):\(sip.localPort) for dialog events: \(error); "
                    + "check sip.local_address and sip.local_port in \(path)", exitCode: .unavailable)
        }
        let heard = Locked<Set<String>>([])
        source = DialogEventSource(
            agent: agent, extensions: settings.extensions, domain: sip.domain,
            expiresSeconds: UInt32(settings.subscriptionExpiresSeconds),
            tracker: DialogEventTracker(
                configuration: DialogEventTracker.Configuration(
                    extensionPattern: configuration.site.extensionPattern,
                    watchedExtensions: Set(settings.extensions), ignoredRemoteUsers: [sip.username],
                    normalizer: tracker.normalizer,
                    maximumCallAgeSeconds: configuration.tracker.maximumCallAgeSeconds,
                    maximumOpenCalls: configuration.tracker.maximumOpenCalls)),
            onNotification: { name in
                if heard.withLock({ $0.insert(name).inserted }) {
                    logger.info("dialog events: the subscription to extension \(name) is active")
                }
            })
        self.logger = logger
        description = "\(settings.extensions.count) extension(s) at \(sip.server) as \(sip.username)"
    }

    /// Subscribes and delivers every finished call until ``stop()``; then shuts the user agent down.
    func run(deliver: @escaping @Sendable (CallRecord) async -> Void) async {
        logger.notice("subscribing to dialog events of \(description)")
        let source = self.source
        let logger = self.logger
        let task = Task {
            do {
                try await source.run(deliver: deliver)
            } catch {
                logger.error("dialog events stopped: \(error)")
            }
        }
        running.withLock { $0 = task }
        if stopped.load(ordering: .acquiring) { task.cancel() }
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        await agent.shutdown()
    }

    /// Ends the subscriptions; ``run(deliver:)`` returns once the calls still open are delivered.
    func stop() {
        stopped.store(true, ordering: .releasing)
        running.withLock { $0?.cancel() }
    }
}
