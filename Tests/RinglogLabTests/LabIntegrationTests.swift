import Foundation
import RinglogCapture
import RinglogCore
import RinglogTestSupport
import Testing

/// The live SIP lab (docs/lab.md): Kamailio mirrors every SIP message as HEP to ringlog's HEP listener,
/// `scripts/lab/drive` plays each scenario with baresip phones and sipp, and the records the call tracker
/// makes of the live stream must equal the ones the scenario scripted.
@Suite("SIP lab, live", .serialized)
struct LabIntegrationTests {
    /// Every scenario of the lab, one after another on one lab (about 80 s of calls).
    static let scenarios = SIPLabScripts.scenarios

    @Test(
        "every scenario's records, exactly, from the lab's live HEP mirror",
        .enabled(
            if: SIPLabScripts.missingPrograms.isEmpty,
            "the SIP lab needs kamailio, baresip, sipp and python3: run scripts/lab/install-deps"),
        .timeLimit(.minutes(10)))
    func liveScenarios() async throws {
        let runDirectory = try SIPLabScripts.makeRunDirectory()
        let listener = try HEPListener(
            configuration: HEPListener.Configuration(host: "127.0.0.1", port: 0, listensOnTCP: false))
        let hepPort = try #require(listener.udpPort)
        // Below the kernel's ephemeral range and apart from the other lab test targets (13000, 15000, 21000):
        // test targets may run at the same time.
        let base = Int(ProcessInfo.processInfo.environment["RINGLOG_LAB_PORT_BASE"] ?? "") ?? 17_000
        let environment = [
            "RINGLOG_LAB_RUN": runDirectory, "RINGLOG_LAB_HEP": "127.0.0.1:\(hepPort)",
            "RINGLOG_LAB_PORT_BASE": String(base),
        ]
        let collector = LiveCallCollector(configuration: try Self.configuration(portBase: base))
        let feeding = Task {
            for await packet in listener.packets { await collector.add(packet) }
        }
        let clock = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                await collector.advanceToNow()
            }
        }

        var failure: (any Error)?
        do {
            try await Self.playScenarios(environment: environment, runDirectory: runDirectory, collector: collector)
        } catch {
            failure = error
        }
        // Always stop the lab, whatever happened above.
        let stop = try await SIPLabScripts.run(
            "scripts/lab/lab", ["stop"], environment: environment, logPath: runDirectory + "/stop.log", limit: 60)
        #expect(stop.succeeded, "scripts/lab/lab stop failed: \(stop.output)")
        clock.cancel()
        listener.stop()
        await feeding.value
        if let failure { throw failure }
        try? FileManager.default.removeItem(atPath: runDirectory)
    }

    /// Starts the lab, drives every scenario, then waits for and compares the records.
    private static func playScenarios(
        environment: [String: String], runDirectory: String, collector: LiveCallCollector
    ) async throws {
        try await SIPLabScripts.startLab(environment: environment, runDirectory: runDirectory)
        let expected = try await SIPLabScripts.drive(scenarios, environment: environment, runDirectory: runDirectory)

        // A call's record comes out 2 s (reorder window) + 4 s (late dialogs) after its end: wait at most 30 s.
        for _ in 0..<150 {
            var missing = 0
            for expectation in expected where await collector.record(callID: expectation.callID) == nil {
                missing += 1
            }
            if missing == 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        for expectation in expected {
            let record = try #require(
                await collector.record(callID: expectation.callID),
                "\(expectation.scenario): no record for Call-ID \(expectation.callID)")
            let differences = expectation.differences(from: record)
            #expect(differences.isEmpty, "\(expectation.scenario): \(differences.joined(separator: "; "))")
        }
        let records = await collector.records
        #expect(records.count == expected.count, "records: \(records.map(\.jsonLine))")
    }

    /// The lab's site for a port base (docs/lab.md): the PBX on base+60, the carrier on base+90 and
    /// base+91 and the PSTN phone on base+95 as trunk peers, extensions 1000-1999, region FI.
    private static func configuration(portBase base: Int) throws -> CallTrackerConfiguration {
        try ReplaySettings(
            site: ReplaySettings.Site(
                pbxAddresses: ["127.0.0.1:\(base + 60)"],
                trunkAddresses: ["127.0.0.1:\(base + 90)", "127.0.0.1:\(base + 91)", "127.0.0.1:\(base + 95)"],
                extensionPattern: #"1\d{3}"#),
            region: "FI"
        ).trackerConfiguration()
    }
}
