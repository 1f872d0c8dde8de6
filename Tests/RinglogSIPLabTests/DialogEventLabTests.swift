import Foundation
import RinglogCore
import RinglogSIP
import RinglogTestSupport
import Synchronization
import Testing

/// The dialog-event source subscribed to Kamailio in the SIP lab while the lab drives calls.
extension SIPLabTests {
    @Suite("Dialog events in the SIP lab", .serialized)
    struct DialogEventLabTests {
        /// Collects what the source delivers, for the test to poll (bounded).
        final class Collector: Sendable {
            let records = Locked<[CallRecord]>([])
            let heard = Locked<Set<String>>([])
        }

        /// Polls `condition` every 100 ms, at most `seconds` long.
        private func eventually(_ seconds: Int, _ condition: () -> Bool) async -> Bool {
            for _ in 0..<(seconds * 10) {
                if condition() { return true }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return condition()
        }

        @Test("answered and missed inbound calls become the records the lab expects", .timeLimit(.minutes(5)))
        func answeredAndMissed() async throws {
            try await Lab.with("dialog-events") { lab in
                let agent = try await SIPUserAgent(
                    configuration: SIPUserAgentConfiguration(
                        account: SIPAccount(username: lab.agentUser, password: lab.agentPassword, domain: lab.domain),
                        outboundProxy: "sip:127.0.0.1:\(lab.pbxPort)"))
                let collector = Collector()
                let tracker = DialogEventTracker(
                    configuration: DialogEventTracker.Configuration(
                        extensionPattern: #"1\d{3}"#, watchedExtensions: ["1001", "1002"],
                        ignoredRemoteUsers: [lab.agentUser], normalizer: PhoneNumberNormalizer(region: .finland)))
                let source = DialogEventSource(
                    agent: agent, extensions: ["1001", "1002"], domain: lab.domain, expiresSeconds: 300,
                    tracker: tracker,
                    onNotification: { name in collector.heard.withLock { _ = $0.insert(name) } })
                let running = Task {
                    try await source.run { record in collector.records.withLock { $0.append(record) } }
                }
                defer { running.cancel() }
                // Kamailio answers each SUBSCRIBE with a first (empty) NOTIFY: then both are active.
                #expect(await eventually(30) { collector.heard.withLock { $0 == ["1001", "1002"] } })

                var checked = 0
                for scenario in ["inbound_answered", "missed"] {
                    let expected = try await lab.drive(scenario)
                    try #require(expected.count == 1)
                    let want = expected[0]
                    let arrived = await eventually(30) {
                        collector.records.withLock { $0.contains { $0.callID == want.callID } }
                    }
                    #expect(arrived, "no record for \(scenario) (\(want.callID))")
                    guard let record = collector.records.withLock({ $0.first { $0.callID == want.callID } }) else {
                        continue
                    }
                    #expect(record.direction.rawValue == want.direction, "\(scenario)")
                    #expect(record.outcome.rawValue == want.outcome, "\(scenario)")
                    #expect(record.extensionNumber == want.extensionNumber, "\(scenario)")
                    #expect(record.from == want.from, "\(scenario)")
                    #expect(record.to == want.to, "\(scenario)")
                    #expect(abs(record.ringSeconds - want.ringSeconds) <= 1, "\(scenario): ring \(record.ringSeconds)")
                    #expect(abs(record.talkSeconds - want.talkSeconds) <= 1, "\(scenario): talk \(record.talkSeconds)")
                    #expect(record.complete)
                    checked += 1
                }
                #expect(checked == 2)
                running.cancel()
                _ = await running.result
                await agent.shutdown()
            }
        }
    }
}
