import Foundation
import RinglogCapture
import RinglogCore
import RinglogPipedrive
import RinglogStore
import Synchronization

/// `ringlog run`: source → call tracker → outbox → writer → Pipedrive, as one task group.
///
/// - Every finished call is committed to the outbox before anything else happens to it.
/// - SIGTERM/SIGINT stop intake, let the current write finish within the grace period, and exit 0;
///   SIGHUP re-reads the configuration (a broken one is logged and the old one kept).
/// - With `NOTIFY_SOCKET`: READY=1 once the listener is bound, WATCHDOG=1 at half of `WATCHDOG_USEC`,
///   STATUS= with calls seen, logged and pending.
public final class Daemon: Sendable {
    /// How the daemon was started.
    public struct Options: Sendable {
        /// The tenant configuration file.
        public var configurationPath: String
        /// Capture files to replay instead of listening for HEP; the daemon exits once they are written.
        public var replayFiles: [String]
        /// Print the call logs that would be written, write nothing.
        public var dryRun: Bool
        /// How long in-flight writes may take after SIGTERM.
        public var gracePeriod: Duration
        /// How often the contact directory is synchronised; `nil` for `directory.sync_interval_seconds`.
        public var directorySyncInterval: Duration?
        /// How many calls are written at once.
        public var writers: Int

        /// Creates options.
        public init(
            configurationPath: String, replayFiles: [String] = [], dryRun: Bool = false,
            gracePeriod: Duration = .seconds(10), directorySyncInterval: Duration? = nil, writers: Int = 8
        ) {
            self.writers = max(1, writers)
            self.configurationPath = configurationPath
            self.replayFiles = replayFiles
            self.dryRun = dryRun
            self.gracePeriod = gracePeriod
            self.directorySyncInterval = directorySyncInterval
        }
    }

    private enum Exit: Sendable { case intakeDone, writerDone, signal, graceExpired, other }

    private let options: Options
    private let logger: DaemonLogger
    private let notifier = SystemdNotifier()
    private let callsSeen = Atomic<Int>(0)
    /// HEP packets the intake's buffer dropped because the call tracker was behind (a flood).
    private let intakeDropped = Atomic<Int>(0)
    /// Calls handed to the group commit and not yet durable; above ``commitBacklogLimit`` the intake waits.
    private let commitBacklog = Atomic<Int>(0)
    /// How many finished calls may wait for the outbox's commit before the intake waits for the disk (a
    /// flood of evicted calls would otherwise queue without bound: each holds its JSON line).
    static let commitBacklogLimit = 5_000
    private let stopping = Atomic<Bool>(false)
    private let directoryAttempted = Atomic<Bool>(false)
    /// Wakes idle write workers when calls were committed.
    private let workSignal = WorkSignal()
    private let configuration: Locked<TenantConfiguration>
    /// The HEP listener while `ringlog run` listens, for its counters in the status.
    private let hepListener = Locked<HEPListener?>(nil)
    /// HEP packets refused (malformed or a wrong capture password) when the last warning about them was logged.
    private let hepRefusalsWarned = Locked<(count: Int, at: ContinuousClock.Instant?)>((0, nil))
    /// The chat and ticket batches, while `ringlog run` listens (not in a replay or a dry run).
    private let eventBatches = Locked<DaemonEventBatches?>(nil)

    private init(options: Options, configuration: TenantConfiguration, logger: DaemonLogger) {
        self.options = options
        self.configuration = Locked(configuration)
        self.logger = logger
    }

    /// Runs the daemon until a signal (or, with replay files, until every call is written).
    /// - Throws: ``DaemonFailure`` or ``ConfigurationLoadError`` when it cannot start.
    public static func run(_ options: Options) async throws {
        let signals = await SignalTrap(trapping: [SIGTERM, SIGINT, SIGHUP])
        signal(SIGPIPE, SIG_IGN)
        let loader = ConfigurationLoader()
        let configuration = try loader.load(path: options.configurationPath)
        let secrets = try Self.secrets(of: configuration, path: options.configurationPath)
        let logger = DaemonLogger(minimumLevel: configuration.logLevel, secrets: secrets.map(\.value))
        let daemon = Daemon(options: options, configuration: configuration, logger: logger)
        try await daemon.run(signals: signals)
    }

    private static func secrets(of configuration: TenantConfiguration, path: String) throws -> [Secret] {
        let loader = ConfigurationLoader()
        return try configuration.secretSources.map {
            try loader.secret($0.source, key: $0.key, configurationPath: path)
        }
    }

    static func makeClient(_ configuration: TenantConfiguration, path: String) throws -> PipedriveClient {
        let loader = ConfigurationLoader()
        switch configuration.pipedrive.credentials {
        case .apiToken(let source):
            let token = try loader.secret(source, key: "pipedrive.api_token", configurationPath: path)
            guard let url = URL(string: configuration.pipedrive.baseURL) else {
                throw DaemonFailure("\(path): pipedrive.base_url is not a URL", exitCode: .configuration)
            }
            return PipedriveClient(
                configuration: PipedriveClient.Configuration(baseURL: url), credentials: .apiToken(token.value),
                transport: SocketHTTPTransport(timeout: .seconds(5)))
        case .oauth(let oauth):
            let secret = try loader.secret(
                oauth.clientSecret, key: "pipedrive.oauth.client_secret", configurationPath: path)
            let settings = try PipedriveAuthSettings(configuration: configuration, clientSecret: secret)
            return try PipedriveClient.make(settings: settings, transport: SocketHTTPTransport(timeout: .seconds(5)))
        }
    }

    /// The tracker configuration of a tenant.
    public static func trackerConfiguration(_ configuration: TenantConfiguration) throws -> CallTrackerConfiguration {
        let normalizer = PhoneNumberNormalizer(
            region: configuration.region, outsideLinePrefix: configuration.site.outsideLinePrefix)
        let site = configuration.site
        let description: SiteDescription? =
            site.isEmpty
            ? nil
            : try SiteDescription(
                pbxAddresses: site.pbxAddresses.map(\.description),
                trunkAddresses: site.trunkAddresses.map(\.description), extensionPattern: site.extensionPattern)
        // A settled call (hung up, or given a final answer) comes out at once: its call log follows the hang-up
        // within the reorder window, not after the closing grace that transfers and challenges need.
        return CallTrackerConfiguration(
            site: description, normalizer: normalizer,
            maximumCallAgeSeconds: Double(configuration.tracker.maximumCallAgeSeconds),
            maximumOpenDialogs: configuration.tracker.maximumOpenCalls, settledClosingGraceSeconds: 0)
    }

    static func writerSettings(_ configuration: TenantConfiguration) -> CallLogWriter.Settings {
        CallLogWriter.Settings(
            policy: configuration.policy, callLogs: configuration.callLogs,
            searchOnMiss: configuration.directory.searchOnMiss)
    }

    private static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private static func nowMicroseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    // swiftlint-style note: one long function keeps the task group's shape visible in one place.
    private func run(signals: SignalTrap) async throws {
        let configuration = self.configuration.withLock { $0 }
        let path = options.configurationPath
        let stateDirectory = configuration.stateDirectory
        let client = try Self.makeClient(configuration, path: path)
        Self.restoreTokensSpentToday(client: client, stateDirectory: stateDirectory)
        let outbox: Outbox
        let directory: Directory
        let tracker = try Self.trackerConfiguration(configuration)
        do {
            outbox = try Outbox(directory: stateDirectory)
            directory = try Directory(
                directory: stateDirectory, normalizer: tracker.normalizer,
                fullSweepInterval: Int64(configuration.directory.fullSweepIntervalSeconds))
        } catch {
            throw DaemonFailure(
                "cannot open the state directory \(stateDirectory) (\(error)); check that it exists, belongs to "
                    + "ringlog's user and is writable (state_dir in \(path))", exitCode: .cannotCreate)
        }
        let users = UserDirectory(extensions: configuration.users, fetchUsers: { try await client.users() })
        let writer = CallLogWriter(
            outbox: outbox, client: client, users: users, directory: directory, normalizer: tracker.normalizer,
            settings: Self.writerSettings(configuration), logger: logger)

        let replaying = !options.replayFiles.isEmpty
        let dialogEvents =
            !replaying && configuration.source == .dialogEvents
            ? try await DaemonDialogEvents(configuration: configuration, path: path, tracker: tracker, logger: logger)
            : nil
        var boundListener: HEPListener?
        if !replaying && dialogEvents == nil {
            let hep = configuration.hep
            let authKey = try hep.authKey.map {
                try ConfigurationLoader().secret($0, key: "hep.auth_key", configurationPath: path).value
            }
            do {
                boundListener = try HEPListener(
                    configuration: HEPListener.Configuration(
                        host: hep.listen.address, port: hep.listen.port, authKey: authKey))
            } catch {
                throw DaemonFailure(
                    "cannot listen for HEP on \(hep.listen): \(error.description); is another ringlog running?",
                    exitCode: .unavailable)
            }
            logger.notice("listening for HEP on \(hep.listen.address):\(boundListener?.udpPort ?? 0) (UDP and TCP)")
        }
        let listener = boundListener
        hepListener.withLock { $0 = listener }
        let events =
            replaying || options.dryRun
            ? nil
            : try DaemonEventBatches(
                configuration: configuration, outbox: outbox, directory: directory, client: client,
                normalizer: tracker.normalizer, logger: logger)
        eventBatches.withLock { $0 = events }
        let packets = try options.replayFiles.isEmpty ? [] : CaptureFilePackets.read(options.replayFiles)
        logger.notice(
            "ringlog \(RinglogVersion.current) started for tenant \(configuration.tenant)"
                + (options.dryRun ? " (dry run: nothing is written)" : ""))

        let exitReason = await withTaskGroup(of: Exit.self) { group -> Exit in
            group.addTask {
                if let listener {
                    await self.intake(
                        from: listener, tracker: tracker, outbox: outbox, writer: writer, users: users,
                        directory: directory)
                } else if let dialogEvents {
                    await self.intake(from: dialogEvents, outbox: outbox, users: users, directory: directory)
                } else {
                    await self.intake(
                        replaying: packets, tracker: tracker, outbox: outbox, writer: writer,
                        users: users, directory: directory)
                }
                return .intakeDone
            }
            if !options.dryRun {
                group.addTask {
                    await self.writeLoop(writer: writer, outbox: outbox, drainAndExit: replaying)
                    return .writerDone
                }
            }
            group.addTask {
                await self.directoryLoop(directory: directory, client: client)
                return .other
            }
            if let events {
                group.addTask {
                    await events.run(directoryAttempted: { self.directoryAttempted.load(ordering: .relaxed) })
                    return .other
                }
            }
            group.addTask {
                await client.runKeepAlive()
                return .other
            }
            group.addTask {
                await self.snapshotLoop(client: client, writer: writer, outbox: outbox, stateDirectory: stateDirectory)
                return .other
            }
            group.addTask {
                for await number in signals.signals {
                    if number == SIGHUP {
                        await self.reload(writer: writer, users: users)
                    } else {
                        self.logger.notice("signal \(number): stopping intake, finishing in-flight writes")
                        return .signal
                    }
                }
                return .signal
            }
            notifier.notify("READY=1")
            let released = RelocationTablePages.release()
            if released > 0 { logger.debug("gave back \(released / 1024) KiB of the relocation table read at start") }

            // The first of: a signal, the end of a replay once the writer drained the outbox (or, in a dry
            // run, the end of the input), or a loop that ended by itself.
            var first = Exit.other
            while let exit = await group.next() {
                first = exit
                if exit == .signal || exit == .writerDone { break }
                if exit == .intakeDone && (options.dryRun || !replaying) { break }
            }
            notifier.notify("STOPPING=1")
            stopping.store(true, ordering: .relaxed)
            listener?.stop()
            dialogEvents?.stop()
            let grace = options.gracePeriod
            // Last resort: a child that ignores cancellation must not keep the process alive. Exiting is
            // safe, the outbox is durable (an item cut while sending is reconciled at the next start).
            let logger = self.logger
            Task.detached {
                try? await Task.sleep(for: grace + .seconds(5))
                logger.error("shutdown did not finish within the grace period; exiting anyway")
                exit(0)
            }
            group.addTask {
                try? await Task.sleep(for: grace)
                return .graceExpired
            }
            var writerRunning = !options.dryRun && first != .writerDone
            var intakeRunning = first != .intakeDone && first != .writerDone
            if first == .writerDone { intakeRunning = false }
            while writerRunning || intakeRunning, let exit = await group.next(), exit != .graceExpired {
                if exit == .writerDone { writerRunning = false }
                if exit == .intakeDone { intakeRunning = false }
            }
            group.cancelAll()
            return first
        }
        await writeSnapshot(
            client: client, writer: writer, outbox: outbox, stateDirectory: stateDirectory, running: false)
        if exitReason == .intakeDone && !replaying {
            // A live source (the HEP listener or the dialog-event subscriptions) ended without being asked to:
            // the service manager must see a failure and restart ringlog, not a clean stop.
            logger.error("stopped: the call source ended unexpectedly (see the messages above)")
            throw DaemonFailure(
                "the call source stopped unexpectedly; calls already queued are safe and are written at the next "
                    + "start; see the log above for the cause", exitCode: .unavailable)
        }
        logger.notice("stopped (\(exitReason == .signal ? "signal" : "input done"))")
    }

    // MARK: - Intake

    /// Hands the calls that became final in one tracker step to the group commit as ONE submission and
    /// returns at once: the tracker goes on while the disk works, and calls finished meanwhile go in the
    /// next commit. A child task in `commits` waits for the commit, reports it and wakes the writers;
    /// nothing else happens to a call before its commit (the writers only see committed items).
    private func enqueue(
        _ records: [CallRecord], into groupCommit: OutboxGroupCommit, commits: inout DiscardingTaskGroup,
        users: UserDirectory, directory: Directory
    ) async {
        guard !records.isEmpty else { return }
        callsSeen.add(records.count, ordering: .relaxed)
        if options.dryRun {
            for record in records { await printDryRun(record, users: users, directory: directory) }
            return
        }
        let items = records.map {
            Outbox.NewItem(kind: CallLogWriter.kind, key: CallLogKey.key(for: $0), payload: Array($0.jsonLine.utf8))
        }
        let pending = groupCommit.submit(items, now: Self.nowMilliseconds())
        let backlog = commitBacklog.add(items.count, ordering: .relaxed).newValue
        commits.addTask {
            defer { self.commitBacklog.subtract(items.count, ordering: .relaxed) }
            do {
                // Once this returns, the calls survive a crash.
                _ = try await pending.results()
                self.workSignal.signal()
                for item in items { self.logger.debug("queued call \(item.key)") }
            } catch {
                for item in items {
                    self.logger.error(
                        "REFUSED call \(item.key): the outbox cannot store it (\(error)); free space in the state "
                            + "directory; calls already queued are safe")
                }
            }
        }
        // Backpressure: the intake reads no packets until the disk caught up (its buffer then drops and counts).
        if backlog > Self.commitBacklogLimit { _ = try? await pending.results() }
    }

    private func intake(
        from listener: HEPListener, tracker: CallTrackerConfiguration, outbox: Outbox, writer: CallLogWriter,
        users: UserDirectory, directory: Directory
    ) async {
        enum Input {
            case packet(CapturedPacket)
            case tick
        }
        let (inputs, continuation) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingNewest(8192))
        let forward = Task {
            for await packet in listener.packets {
                if case .dropped = continuation.yield(.packet(packet)) {
                    self.intakeDropped.add(1, ordering: .relaxed)
                }
            }
            continuation.finish()
        }
        // A tick every second (stale calls are evicted), and one when the reorder buffer or a finished call's
        // grace next has something due, so that a hang-up is released within the reorder window.
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                continuation.yield(.tick)
            }
        }
        var wakeUp: (at: Int64, task: Task<Void, Never>)?
        defer {
            forward.cancel()
            ticks.cancel()
            wakeUp?.task.cancel()
        }
        let reorderWindow = Double(configuration.withLock { $0.tracker.reorderWindowMilliseconds }) / 1000
        var replay = CallReplay(configuration: tracker, reorderWindowSeconds: reorderWindow)
        let groupCommit = OutboxGroupCommit(outbox: outbox)
        // Leaving the group waits for the commits still in flight.
        await withDiscardingTaskGroup { commits in
            for await input in inputs {
                switch input {
                case .packet(let packet):
                    await enqueue(
                        replay.add(packet), into: groupCommit, commits: &commits, users: users, directory: directory)
                case .tick:
                    if let wake = wakeUp, wake.at <= Self.nowMicroseconds() { wakeUp = nil }
                    await enqueue(
                        replay.advance(to: CaptureTime(microsecondsSinceEpoch: Self.nowMicroseconds())),
                        into: groupCommit, commits: &commits, users: users, directory: directory)
                }
                if stopping.load(ordering: .relaxed) { break }
                // Arms the wake-up when something is due before the one already armed (at most one pending).
                if let due = replay.nextDue?.microsecondsSinceEpoch, due < (wakeUp?.at ?? .max) {
                    wakeUp?.task.cancel()
                    let delay = max(0, due - Self.nowMicroseconds()) + 1000
                    wakeUp = (
                        due,
                        Task {
                            do { try await Task.sleep(for: .microseconds(delay)) } catch { return }
                            continuation.yield(.tick)
                        }
                    )
                }
            }
        }
        // Stopping: calls still open are not finished; their remaining messages may come after a restart.
    }

    private func intake(
        from dialogEvents: DaemonDialogEvents, outbox: Outbox, users: UserDirectory, directory: Directory
    ) async {
        let groupCommit = OutboxGroupCommit(outbox: outbox)
        let (records, continuation) = AsyncStream.makeStream(of: CallRecord.self)
        // Leaving the group waits for the commits still in flight.
        await withDiscardingTaskGroup { commits in
            commits.addTask {
                await dialogEvents.run { continuation.yield($0) }
                continuation.finish()
            }
            for await record in records {
                await enqueue([record], into: groupCommit, commits: &commits, users: users, directory: directory)
            }
        }
    }

    private func intake(
        replaying packets: [CapturedPacket], tracker: CallTrackerConfiguration, outbox: Outbox, writer: CallLogWriter,
        users: UserDirectory, directory: Directory
    ) async {
        if options.dryRun {
            // A dry run shows the matches: the directory must be synchronised first (bounded wait).
            for _ in 0..<600 where !directoryAttempted.load(ordering: .relaxed) && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        var replay = CallReplay(configuration: tracker)
        let groupCommit = OutboxGroupCommit(outbox: outbox)
        // Leaving the group waits for the commits still in flight.
        let stopped = await withDiscardingTaskGroup { commits -> Bool in
            for packet in packets {
                await enqueue(
                    replay.add(packet), into: groupCommit, commits: &commits, users: users, directory: directory)
                if stopping.load(ordering: .relaxed) { return true }
            }
            await enqueue(replay.finish(), into: groupCommit, commits: &commits, users: users, directory: directory)
            return false
        }
        if stopped { return }
        logger.info("replay read: \(callsSeen.load(ordering: .relaxed)) call(s)")
    }

    private func printDryRun(_ record: CallRecord, users: UserDirectory, directory: Directory) async {
        var userID: Int?
        if case .user(let id)? = try? await users.lookUp(extension: record.extensionNumber) { userID = id }
        let normalizer = (try? Self.trackerConfiguration(configuration.withLock { $0 }))?.normalizer
        let e164 = CallLogComposer.externalNumber(of: record).flatMap { normalizer?.normalize($0)?.e164 }
        var choice: SharedNumberPolicy.Choice?
        if let e164 { choice = await directory.match(e164: e164, userID: userID) }
        let callLogs = configuration.withLock { $0.callLogs }
        let draft = CallLogComposer(templates: callLogs.templates, includesNote: callLogs.includesNote).draft(
            for: record, userID: userID, choice: choice)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(CallLogWriter.newCallLog(draft)) {
            var line = Array(data)
            line.append(UInt8(ascii: "\n"))
            _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
    }

    // MARK: - Writing

    private func writeLoop(writer: CallLogWriter, outbox: Outbox, drainAndExit: Bool) async {
        // The first directory sync comes first (bounded): a call written before it would miss its contact.
        for _ in 0..<600 where !directoryAttempted.load(ordering: .relaxed) && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        // Calls cut by a crash are reconciled before anything is sent.
        while !Task.isCancelled && !stopping.load(ordering: .relaxed) {
            do {
                try await writer.reconcileInterrupted(now: Self.nowMilliseconds)
                break
            } catch {
                logger.warning("cannot reconcile interrupted calls yet: \(error); trying again in 1 s")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        // Several workers, so that one slow or lost answer does not hold up the calls behind it.
        await withTaskGroup(of: Void.self) { workers in
            for _ in 0..<options.writers {
                workers.addTask { await self.writeWorker(writer: writer, outbox: outbox, drainAndExit: drainAndExit) }
            }
        }
    }

    private func writeWorker(writer: CallLogWriter, outbox: Outbox, drainAndExit: Bool) async {
        while !Task.isCancelled && !stopping.load(ordering: .relaxed) {
            do {
                let generation = workSignal.generation
                if try await writer.processNext(now: Self.nowMilliseconds) != nil { continue }
                if drainAndExit, try await writer.isDrained() { return }
                // Woken at once by a commit; the timeout finds items whose retry time came.
                await workSignal.wait(after: generation, atMost: .milliseconds(250))
                try Task.checkCancellation()
            } catch is CancellationError {
                return
            } catch {
                logger.error("outbox: \(error); trying again in 1 s")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func directoryLoop(directory: Directory, client: PipedriveClient) async {
        let source = PipedriveDirectorySource(client: client)
        while !Task.isCancelled {
            do {
                let report = try await directory.synchronize(
                    from: source, now: Int64(Date().timeIntervalSince1970))
                logger.info("directory synchronised: \(report.updated) updated, \(report.removed) removed")
                if let failure = report.dealsFailure {
                    logger.warning(
                        "open deals not synchronised: \(failure); calls are logged without deal_id until this "
                            + "works (an OAuth app needs the deals:read scope)")
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("directory sync failed: \(error); the next try is in one interval")
            }
            directoryAttempted.store(true, ordering: .relaxed)
            // What the synchronisation parsed and decoded is freed by now; give the pages back while idle.
            FreedHeap.release()
            let interval =
                options.directorySyncInterval ?? .seconds(configuration.withLock { $0.directory.syncIntervalSeconds })
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    // MARK: - Status

    private func snapshotLoop(client: PipedriveClient, writer: CallLogWriter, outbox: Outbox, stateDirectory: String)
        async
    {
        var lastWatchdog = ContinuousClock.now
        var lastCleanUp: ContinuousClock.Instant?
        while !Task.isCancelled {
            await writeSnapshot(
                client: client, writer: writer, outbox: outbox, stateDirectory: stateDirectory,
                running: true)
            if lastCleanUp.map({ ContinuousClock.now - $0 >= .seconds(60) }) ?? true {
                await removeFinishedItems(outbox: outbox)
                lastCleanUp = .now
            }
            if let interval = notifier.watchdogInterval, ContinuousClock.now - lastWatchdog >= interval {
                notifier.notify("WATCHDOG=1")
                lastWatchdog = .now
            }
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
        }
    }

    /// Removes outbox items finished longer ago than `outbox.keep_done_days`, so the outbox stays bounded.
    private func removeFinishedItems(outbox: Outbox) async {
        let settings = configuration.withLock { $0.outbox }
        do {
            let removed = try await outbox.removeFinished(
                before: settings.removalCutoff(nowMilliseconds: Self.nowMilliseconds()))
            if removed > 0 {
                logger.debug("outbox: removed \(removed) item(s) finished over \(settings.keepDoneDays) day(s) ago")
            }
        } catch {
            logger.warning("outbox: cannot remove finished items (\(error)); trying again in a minute")
        }
    }

    private func writeSnapshot(
        client: PipedriveClient, writer: CallLogWriter, outbox: Outbox, stateDirectory: String, running: Bool
    ) async {
        let counters = await writer.snapshot
        var tokens: [String: Int] = [:]
        for (endpoint, usage) in client.tokensSpent { tokens["\(endpoint)"] = usage.tokens }
        var snapshot = DaemonSnapshot(
            pid: getpid(), running: running, updatedAt: PipedriveTimestamp.rfc3339(Date()),
            callsSeen: callsSeen.load(ordering: .relaxed), lastError: counters.lastError,
            authorization: await client.authorizationState.description, tokensByEndpoint: tokens,
            unmappedExtensions: counters.unmappedExtensions, tokensDay: TokenLedger.utcDate(of: Date()))
        if let counters = hepListener.withLock({ $0 })?.counters {
            snapshot.hepPackets = [
                "received": counters.received, "malformed": counters.malformed,
                "wrong_password": counters.authFailed, "not_sip": counters.nonSIP,
                "dropped": counters.dropped + intakeDropped.load(ordering: .relaxed),
            ]
            warnAboutRefusedHEP(counters)
        }
        if let events = eventBatches.withLock({ $0 })?.snapshot {
            snapshot.eventsRejected = events.rejected
            snapshot.lastEventBatch = events.lastBatch
        }
        do {
            try snapshot.write(stateDirectory: stateDirectory)
        } catch {
            logger.warning("\(error)")
        }
        if let counts = try? await outbox.counts(kind: CallLogWriter.kind) {
            notifier.notify(
                "STATUS=calls seen \(snapshot.callsSeen), logged \(counts[.done] ?? 0), pending "
                    + "\((counts[.pending] ?? 0) + (counts[.sending] ?? 0))")
        }
    }

    /// Tokens the previous run spent today (from its snapshot), so that `status` counts the whole UTC day.
    public static func restoreTokensSpentToday(client: PipedriveClient, stateDirectory: String) {
        guard let snapshot = DaemonSnapshot.read(stateDirectory: stateDirectory),
            snapshot.tokensDay == TokenLedger.utcDate(of: Date())
        else { return }
        var usage: [PipedriveEndpoint: TokenLedger.Usage] = [:]
        for endpoint in PipedriveEndpoint.allCases {
            guard let tokens = snapshot.tokensByEndpoint[endpoint.costKey], tokens > 0 else { continue }
            usage[endpoint] = TokenLedger.Usage(requests: tokens / max(1, endpoint.tokenCost), tokens: tokens)
        }
        client.ledger.restore(usage, day: TokenLedger.utcDay(of: Date()))
    }

    /// Logs, at most once a minute, that HEP packets were refused since the last warning: a PBX sending the
    /// wrong capture password, or something else writing to the HEP port.
    private func warnAboutRefusedHEP(_ counters: HEPListener.Counters) {
        let refused = counters.malformed + counters.authFailed
        let now = ContinuousClock.now
        let due = hepRefusalsWarned.withLock { warned -> Bool in
            guard refused > warned.count else { return false }
            if let at = warned.at, now - at < .seconds(60) { return false }
            warned = (refused, now)
            return true
        }
        guard due else { return }
        logger.warning(
            "HEP: \(counters.authFailed) packet(s) with a wrong or missing capture password and \(counters.malformed) "
                + "malformed since start; check the PBX's HEP settings against hep.auth_key and hep.listen")
    }

    // MARK: - Reload

    private func reload(writer: CallLogWriter, users: UserDirectory) async {
        notifier.notify("RELOADING=1")
        defer { notifier.notify("READY=1") }
        do {
            let fresh = try ConfigurationLoader().load(path: options.configurationPath)
            let secrets = try Self.secrets(of: fresh, path: options.configurationPath)
            configuration.withLock { $0 = fresh }
            logger.update(minimumLevel: fresh.logLevel, secrets: secrets.map(\.value))
            await writer.update(settings: Self.writerSettings(fresh))
            await users.update(extensions: fresh.users)
            await eventBatches.withLock({ $0 })?.update(fresh.events)
            logger.notice("configuration reloaded from \(options.configurationPath)")
        } catch {
            logger.error("configuration reload failed, keeping the running one: \(error)")
        }
    }
}
