import Foundation
import RinglogTestSupport
import Testing

/// ringlog's main job end to end: the SIP lab (docs/lab.md) mirrors every SIP message as HEP to a running
/// `ringlog run`, which writes the calls to the Pipedrive simulator. Every lab scenario must become exactly
/// one call log with the right user, person, organisation, outcome and duration.
@Suite("End to end: SIP lab, HEP, ringlog run, Pipedrive simulator", .serialized)
struct LabEndToEndTests {
    /// The lab's port base for this suite (docs/lab.md): apart from the other lab suites (13000, 15000, 17000).
    static let portBase = Int(ProcessInfo.processInfo.environment["RINGLOG_E2E_LAB_PORT_BASE"] ?? "") ?? 21_000

    /// The phones' users in the simulator's seed: extension → (e-mail, user id).
    static let users: [String: (email: String, id: Int)] = [
        "1001": ("aino.admin@ringlog-test.example", 1),
        "1002": ("bertil.berg@ringlog-test.example", 2),
        "1003": ("carita@ringlog-test.example", 3),
    ]

    /// The lab's outside caller (docs/lab.md).
    static let outsideCaller = "+358401234567"
    /// The outside number the lab's phone 1001 dials as 0912345678.
    static let outsideTarget = "+358912345678"

    /// The persons the test adds for the outside numbers: E.164 → (person id, organisation id).
    typealias Contacts = [String: (person: Int, organization: Int)]

    /// Whether the lab's programs, the simulator and the built binary are there.
    static var isRunnable: Bool {
        SIPLabScripts.missingPrograms.isEmpty && PipedriveSimulator.isAvailable && RinglogBinary.path != nil
    }

    @Test(
        "each scenario: one call log, with user, person, organisation, outcome and duration",
        .enabled(
            if: isRunnable,
            "needs kamailio, baresip, sipp, python3 (scripts/lab/install-deps) and the built ringlog binary"),
        .timeLimit(.minutes(15)))
    func everyScenario() async throws {
        let directory = try makeTemporaryDirectory()
        let runDirectory = try SIPLabScripts.makeRunDirectory()
        let simulator = try await PipedriveSimulator.start()
        defer { simulator.stop() }
        let contacts = try await Self.addOutsideContacts(to: simulator)

        let (daemon, hepPort) = try await Self.startDaemon(in: directory, simulator: simulator)
        defer { daemon.stopNow() }
        let environment = [
            "RINGLOG_LAB_RUN": runDirectory, "RINGLOG_LAB_HEP": "127.0.0.1:\(hepPort)",
            "RINGLOG_LAB_PORT_BASE": String(Self.portBase),
        ]
        var expected: [ExpectedCallRecord] = []
        var failure: (any Error)?
        do {
            try await SIPLabScripts.startLab(environment: environment, runDirectory: runDirectory)
            expected = try await SIPLabScripts.drive(
                SIPLabScripts.scenarios, environment: environment, runDirectory: runDirectory)
        } catch {
            failure = error
        }
        // Always stop the lab, whatever happened above.
        let stop = try await SIPLabScripts.run(
            "scripts/lab/lab", ["stop"], environment: environment, logPath: runDirectory + "/stop.log", limit: 60)
        #expect(stop.succeeded, "scripts/lab/lab stop failed: \(stop.output)")
        if let failure { throw failure }

        // Wait (bounded) until every expected call is in the simulator: a call's record comes out some seconds
        // after its end (the tracker's reorder window), then the writer sends it.
        var logs: [[String: Any]] = []
        for _ in 0..<300 {
            logs = try await simulator.callLogs()
            if expected.allSatisfy({ Self.logs(of: $0, in: logs).count >= 1 }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        // A clean stop drains what is in flight: anything written twice is in the simulator afterwards.
        let status = await daemon.stop(grace: 30)
        #expect(status == 0, "ringlog run exited with \(status): \(daemon.errorOutput.suffix(3000))")
        logs = try await simulator.callLogs()

        #expect(expected.count == SIPLabScripts.scenarios.count, "expected records: \(expected)")
        for expectation in expected {
            let matching = Self.logs(of: expectation, in: logs)
            #expect(matching.count == 1, "\(expectation): \(matching.count) call logs")
            guard let log = matching.first else { continue }
            let differences = Self.differences(between: expectation, and: log, contacts: contacts)
            #expect(differences.isEmpty, "\(expectation): \(differences.joined(separator: "; "))")
        }
        #expect(logs.count == expected.count, "call logs: \(logs.map { $0["subject"] ?? "?" })")
        if logs.count == expected.count && expected.count == SIPLabScripts.scenarios.count {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(atPath: runDirectory)
        } else {
            print("ringlog log: \(directory.path)/ringlog.log; lab run directory: \(runDirectory)")
        }
    }

    // MARK: - Steps

    /// Adds a person with an organisation for each outside number, written as people type them.
    static func addOutsideContacts(to simulator: PipedriveSimulator) async throws -> Contacts {
        let caller = try await simulator.addPerson(
            name: "Lab Caller", phones: ["+358 40 123 4567"], organizationID: 3)
        let target = try await simulator.addPerson(name: "Lab Target", phones: ["09 1234 5678"], organizationID: 4)
        return [outsideCaller: (caller, 3), outsideTarget: (target, 4)]
    }

    /// Starts `ringlog run` with a tenant configuration for the lab; tries a few HEP ports in case one is
    /// taken. Returns the daemon once it listens, and its HEP port.
    static func startDaemon(in directory: URL, simulator: PipedriveSimulator) async throws -> (ChildProcess, Int) {
        var lastLog = ""
        for attempt in 0..<3 {
            // Outside this lab's ports (base+53 … base+2011) and those of a lab on the next base (+2000).
            let hepPort = portBase + 2_040 + attempt
            let configuration = try writeLabConfiguration(in: directory, simulator: simulator, hepPort: hepPort)
            let log = directory.appendingPathComponent("ringlog.log").path
            let daemon = try ChildProcess(
                executable: RinglogBinary.url.path, arguments: ["run", "--config", configuration.path],
                outputPath: directory.appendingPathComponent("ringlog.out").path, errorPath: log, append: true)
            // Bounded: 600 × 50 ms for the listener.
            for _ in 0..<600 where daemon.isRunning && !daemon.errorOutput.contains("listening for HEP") {
                try await Task.sleep(for: .milliseconds(50))
            }
            if daemon.isRunning && daemon.errorOutput.contains("listening for HEP") { return (daemon, hepPort) }
            lastLog = daemon.errorOutput
            await daemon.stop(grace: 5)
        }
        throw PipedriveSimulator.Failure("ringlog run did not start listening for HEP: \(lastLog.suffix(3000))")
    }

    /// The tenant configuration: the lab's site (the PBX on base+60; the carrier on base+90 and base+91 and
    /// the PSTN phone on base+95 as trunk peers; extensions 1000-1999), the phones' users, region FI.
    static func writeLabConfiguration(in directory: URL, simulator: PipedriveSimulator, hepPort: Int) throws -> URL {
        let base = portBase
        let token = directory.appendingPathComponent("token")
        try Data("\(PipedriveSimulator.apiToken)\n".utf8).write(to: token)
        chmod(token.path, 0o600)
        let users = Self.users.map { "\"\($0.key)\": \"\($0.value.email)\"" }.sorted().joined(separator: ", ")
        // Calls of extensions without a user are skipped: every call log must come from a mapped extension.
        let text = """
            {"tenant": "lab", "region": "FI", "state_dir": "\(directory.path)/state", "log_level": "info",
             "pipedrive": {"base_url": "\(simulator.baseURL.absoluteString)", "api_token_file": "\(token.path)"},
             "hep": {"listen": "127.0.0.1:\(hepPort)"},
             "site": {"extension_pattern": "1\\\\d{3}", "pbx_addresses": ["127.0.0.1:\(base + 60)"],
                      "trunk_addresses": ["127.0.0.1:\(base + 90)", "127.0.0.1:\(base + 91)", "127.0.0.1:\(base + 95)"]},
             "users": {\(users)},
             "policy": {"unmapped_extension": "skip", "unknown_caller": "log_without_person"}}
            """
        let configuration = directory.appendingPathComponent("tenant.json")
        try Data(text.utf8).write(to: configuration)
        return configuration
    }

    // MARK: - Checks

    /// The call logs whose note carries the call's marker line (`ringlog-call-id: CALL-ID START`).
    static func logs(of expectation: ExpectedCallRecord, in logs: [[String: Any]]) -> [[String: Any]] {
        logs.filter { ($0["note"] as? String)?.contains("ringlog-call-id: \(expectation.callID) ") == true }
    }

    /// What differs between the call log and the lab's expectation: the user of the extension, the person and
    /// organisation of the outside number (none for an internal call), the outcome, the duration within 1 s.
    static func differences(between expectation: ExpectedCallRecord, and log: [String: Any], contacts: Contacts)
        -> [String]
    {
        var differences: [String] = []
        func compare(_ field: String, _ expected: Int?) {
            let actual = log[field] as? Int
            if actual != expected {
                differences.append(
                    "\(field): expected \(expected.map(String.init) ?? "none"), got \(log[field] ?? "none")")
            }
        }
        compare("user_id", expectation.extensionNumber.flatMap { users[$0]?.id })
        let contact = expectation.externalNumber.flatMap { contacts[$0] }
        compare("person_id", contact?.person)
        compare("org_id", contact?.organization)
        let outcome =
            switch expectation.outcome {
            case "answered": "connected"
            case "busy": "busy"
            default: "no_answer"
            }
        if log["outcome"] as? String != outcome {
            differences.append("outcome: expected \(outcome), got \(log["outcome"] ?? "none")")
        }
        let duration = (log["duration"] as? String).flatMap(Double.init) ?? (log["duration"] as? Double)
        if duration.map({ abs($0 - expectation.talkSeconds) <= 1 }) != true {
            differences.append("duration: expected \(expectation.talkSeconds) ± 1, got \(log["duration"] ?? "none")")
        }
        return differences
    }
}
