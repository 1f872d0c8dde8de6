import Foundation
import RinglogCore
import RinglogTestSupport
import Testing

/// `ringlog run` with `"source": "dialog_events"` against Kamailio in the SIP lab and the Pipedrive
/// simulator: the calls the lab drives become call logs through the daemon's outbox and writer.
extension SIPLabTests {
    @Suite("ringlog run with the dialog-event source in the SIP lab", .serialized)
    struct DialogEventDaemonLabTests {
        /// Its own port base, apart from the other lab tests' (13,000 and 15,000), which may run at the same time.
        static let portBases = [23_000]

        /// Polls `condition` every 200 ms, at most `seconds` long.
        private func eventually(_ seconds: Int, _ condition: () async throws -> Bool) async rethrows -> Bool {
            for _ in 0..<(seconds * 5) {
                if try await condition() { return true }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return try await condition()
        }

        /// Writes the tenant configuration: dialog events of 1001 and 1002 with the lab's agent account.
        private func configuration(_ lab: Lab, simulator: PipedriveSimulator) throws -> String {
            let run = lab.runDirectory
            let passwordFile = run + "/agent.password"
            try Data((lab.agentPassword + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
            chmod(passwordFile, 0o600)
            let tokenFile = run + "/pipedrive.token"
            try Data("test-api-token\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
            chmod(tokenFile, 0o600)
            let path = run + "/tenant.json"
            let text = """
                {"tenant": "lab", "region": "FI", "state_dir": "\(run)/ringlog-state", "log_level": "info",
                 "pipedrive": {"base_url": "\(simulator.baseURL)", "api_token_file": "\(tokenFile)"},
                 "source": "dialog_events",
                 "site": {"extension_pattern": "1\\\\d{3}"},
                 "policy": {"unmapped_extension": "default_user",
                            "default_user_email": "aino.admin@ringlog-test.example",
                            "unknown_caller": "log_without_person"},
                 "sip": {"server": "127.0.0.1:\(lab.pbxPort)", "domain": "\(lab.domain)",
                         "username": "\(lab.agentUser)", "password_file": "\(passwordFile)",
                         "dialog_events": {"extensions": ["1001", "1002"], "subscription_expires": 300}}}
                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        @Test("an answered and a missed inbound call become the right call logs", .timeLimit(.minutes(6)))
        func answeredAndMissed() async throws {
            try await Lab.with("daemon-dialog-events", portBases: Self.portBases) { lab in
                let simulator = try await PipedriveSimulator.start()
                defer { simulator.stop() }
                let daemon = try ChildProcess(
                    executable: DialLabTests.ringlog,
                    arguments: ["run", "--config", try configuration(lab, simulator: simulator)],
                    logPrefix: lab.runDirectory + "/ringlog-run")
                do {
                    try await exercise(lab, simulator: simulator, daemon: daemon)
                } catch {
                    kill(daemon.pid, SIGKILL)
                    _ = await daemon.wait(timeout: .seconds(10))
                    throw error
                }
                kill(daemon.pid, SIGTERM)
                let status = await daemon.wait(timeout: .seconds(40))
                #expect(status == 0, "ringlog run: \(daemon.errorOutput)")
                #expect(daemon.errorOutput.contains("stopped (signal)"))
            }
        }

        /// Waits for the subscriptions, drives the calls and checks their call logs.
        private func exercise(_ lab: Lab, simulator: PipedriveSimulator, daemon: ChildProcess) async throws {
            let subscribed = await eventually(60) {
                ["1001", "1002"].allSatisfy {
                    daemon.errorOutput.contains("dialog events: the subscription to extension \($0) is active")
                }
            }
            try #require(subscribed, "ringlog run: \(daemon.errorOutput)")

            var checked = 0
            for scenario in ["inbound_answered", "missed"] {
                let expected = try await lab.drive(scenario)
                try #require(expected.count == 1)
                let want = expected[0]
                let callIDLine = "SIP Call-ID:</b> \(HTMLText.escape(want.callID))<"
                var logs: [[String: Any]] = []
                let arrived = try await eventually(60) {
                    logs = try await simulator.callLogs().filter {
                        ($0["note"] as? String)?.contains(callIDLine) == true
                    }
                    return !logs.isEmpty
                }
                #expect(arrived, "no call log for \(scenario) (\(want.callID)); ringlog: \(daemon.errorOutput)")
                guard let log = logs.first else { continue }
                #expect(logs.count == 1, "\(scenario): \(logs.count) call logs")
                let outcome = want.outcome == "answered" ? "connected" : "no_answer"
                #expect(log["outcome"] as? String == outcome, "\(scenario)")
                #expect(log["from_phone_number"] as? String == want.from, "\(scenario)")
                #expect(log["to_phone_number"] as? String == want.to, "\(scenario)")
                #expect(log["user_id"] as? Int == 1, "\(scenario)")
                let duration = Double("\(log["duration"] ?? "")") ?? -1
                #expect(abs(duration - want.talkSeconds) <= 1.5, "\(scenario): duration \(duration)")
                if let extensionNumber = want.extensionNumber {
                    #expect(
                        (log["note"] as? String)?.contains("<b>Extension:</b> \(extensionNumber)<") == true,
                        "\(scenario)")
                }
                checked += 1
            }
            #expect(checked == 2)
        }
    }
}
