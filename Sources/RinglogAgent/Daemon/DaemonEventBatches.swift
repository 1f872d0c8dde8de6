import Foundation
import RinglogCore
import RinglogEvents
import RinglogPipedrive
import RinglogStore
import Synchronization

/// The chat and ticket batches of `ringlog run`: the spool is taken in every few seconds and every
/// `events.batch_minutes` due events become done Pipedrive activities (``EventService``).
///
/// - A batch holds the flush lock of the state directory, so it never runs together with `ringlog flush`;
///   a batch that finds the lock taken runs at the next scan.
/// - Batches start only once the contact directory has been synchronised and holds persons, as
///   `ringlog flush` requires: an event matched against an empty directory would lose its contact.
/// - Cancellation (SIGTERM) may cut a batch between two events or during one request: the item stays in
///   `sending`, and the next batch looks its activity up by the journal's marker before sending again.
/// - A reload changes the batch interval; the other `events` keys take effect at the next start.
final class DaemonEventBatches: Sendable {
    /// What `ringlog status` shows of the batches, kept in the daemon's snapshot.
    struct Counters: Sendable, Equatable {
        /// Lines refused at intake since start (they are in `events.rejected_file`).
        var rejected = 0
        /// Events taken in from the spool since start.
        var accepted = 0
        /// The last batch, one line with its time.
        var lastBatch: String?
    }

    private let service: EventService
    private let directory: Directory
    private let logger: DaemonLogger
    private let counters = Locked(Counters())

    /// Prepares the batches of `configuration` on the daemon's outbox and directory.
    /// - Throws: ``DaemonFailure`` when the spool directory or the send journal cannot be opened.
    init(
        configuration: TenantConfiguration, outbox: Outbox, directory: Directory, client: PipedriveClient,
        normalizer: PhoneNumberNormalizer, logger: DaemonLogger
    ) throws {
        let settings = configuration.events
        let clock = SystemEventClock()
        let spool: SpoolDirectory
        let journal: EventSendJournal
        do {
            spool = try SpoolDirectory(path: settings.spoolDirectory)
            journal = try EventSendJournal(directory: configuration.stateDirectory)
        } catch {
            throw DaemonFailure(
                "cannot open the event spool \(settings.spoolDirectory) or the send journal in "
                    + "\(configuration.stateDirectory): \(error); check that both belong to ringlog's user "
                    + "(events.spool_dir, state_dir)", exitCode: .cannotCreate)
        }
        let flusher = EventFlusher(
            dependencies: .init(
                outbox: outbox, journal: journal, writer: PipedriveActivityWriter(client: client),
                contacts: DirectoryContactLookup(directory: directory),
                users: PipedriveUserLookup(client: client, clock: clock), clock: clock),
            settings: settings, unmappedAgent: configuration.policy.unmappedExtension, normalizer: normalizer)
        service = EventService(
            spool: spool, intake: EventIntake(outbox: outbox, rejectedLog: RejectedLog(path: settings.rejectedFile)),
            flusher: flusher, clock: clock, batchInterval: settings.batchInterval,
            scanInterval: Self.scanInterval(settings))
        self.directory = directory
        self.logger = logger
    }

    /// The spool is scanned every 10 s, or at every batch when batches come more often.
    private static func scanInterval(_ settings: EventSettings) -> Duration {
        min(.seconds(10), settings.batchInterval)
    }

    /// The counters for the snapshot.
    var snapshot: Counters { counters.withLock { $0 } }

    /// Runs until cancelled; `directoryAttempted` tells whether the first directory synchronisation is over.
    func run(directoryAttempted: @escaping @Sendable () -> Bool) async {
        var warned = false
        while !Task.isCancelled {
            if directoryAttempted(), await directory.size.persons > 0 { break }
            if directoryAttempted() && !warned {
                logger.warning(
                    "event batches wait: the contact directory is empty (no person synchronised from Pipedrive yet)")
                warned = true
            }
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
        }
        await service.run(
            onTick: { report in self.record(report) },
            onError: { error in self.logger.error("event batch: \(error); trying again at the next scan") })
    }

    /// A reloaded configuration: the new batch interval applies from the last batch on.
    func update(_ settings: EventSettings) async {
        await service.update(batchInterval: settings.batchInterval)
    }

    private func record(_ report: EventService.TickReport) {
        let intake = report.intake
        if intake.accepted + intake.duplicates + intake.rejected > 0 {
            logger.info(
                "event spool: \(intake.accepted) accepted, \(intake.duplicates) duplicate(s), "
                    + "\(intake.rejected) rejected")
        }
        if report.flushDeferred {
            logger.notice("event batch due, but 'ringlog flush' is running one; trying again at the next scan")
        }
        var line: String?
        if let flush = report.flush {
            let summary =
                "\(flush.created) created, \(flush.reconciled) already in Pipedrive, \(flush.skipped) skipped, "
                + "\(flush.failed) failed, \(flush.retried) to retry, \(flush.pending) pending"
                + (flush.stoppedEarly ? " (stopped early: Pipedrive asked ringlog to wait)" : "")
            logger.notice("event batch: \(summary)")
            line = "\(PipedriveTimestamp.rfc3339(Date())): \(summary)"
        }
        counters.withLock {
            $0.accepted += intake.accepted
            $0.rejected += intake.rejected
            if let line { $0.lastBatch = line }
        }
    }
}
