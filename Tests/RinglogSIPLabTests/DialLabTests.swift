import Foundation
import RinglogTestSupport
import Testing

/// `ringlog dial` (the real binary) against Kamailio and baresip phones in the SIP lab.
extension SIPLabTests {
    @Suite("ringlog dial in the SIP lab", .serialized)
    struct DialLabTests {
        /// The `ringlog` executable next to the test bundle.
        static let ringlog = RinglogBinary.url.path

        /// Writes a desktop dial file for extension 1001 with the lab's agent account.
        private func dialFile(_ lab: Lab, password: String? = nil, serverPort: Int? = nil) throws -> String {
            let passwordFile = lab.runDirectory + "/agent.password"
            try Data(((password ?? lab.agentPassword) + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
            chmod(passwordFile, 0o600)
            let file = lab.runDirectory + "/dial-\(UUID().uuidString.prefix(6)).json"
            let text = """
                {"sip": {"server": "127.0.0.1:\(serverPort ?? lab.pbxPort)", "domain": "\(lab.domain)",
                         "username": "\(lab.agentUser)", "password_file": "\(passwordFile)"},
                 "extension": "1001", "region": "FI", "extension_pattern": "1\\\\d{3}"}
                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            return file
        }

        private func dial(_ lab: Lab, _ arguments: [String]) throws -> ChildProcess {
            try ChildProcess(
                executable: Self.ringlog, arguments: ["dial"] + arguments,
                logPrefix: "\(lab.runDirectory)/ringlog-dial-\(UUID().uuidString.prefix(6))")
        }

        @Test("your phone rings and answers, then the target rings and answers; exit 0", .timeLimit(.minutes(3)))
        func answeredAndConnected() async throws {
            try await Lab.with("dial-connected") { lab in
                let caller = try lab.phone("1001")
                let target = try lab.phone("1002")
                let process = try dial(lab, ["--config", try dialFile(lab), "1002"])

                let incoming = try await caller.waitFor("CALL_INCOMING")
                #expect(incoming.peerURI?.contains("agent@") == true)
                try await caller.command("accept")
                let transferred = try await target.waitFor("CALL_INCOMING")
                #expect(transferred.peerURI?.contains("1001@") == true)
                try await target.command("accept")
                _ = try await target.waitFor("CALL_ESTABLISHED")

                let status = await process.wait(timeout: .seconds(60))
                #expect(status == 0, "stderr: \(process.errorOutput)")
                #expect(process.output.contains("connected extension 1001 to 1002"))
                // ringlog's own leg ends; the call 1001 → 1002 stays up.
                _ = try await caller.waitFor("CALL_CLOSED")
                let calls = try await target.command("listcalls")
                #expect(calls.contains("ESTABLISHED"))
                await target.hangUpAll()
                await caller.hangUpAll()
            }
        }

        @Test("your phone does not answer: cancelled after the answer timeout, exit 75", .timeLimit(.minutes(3)))
        func notAnswered() async throws {
            try await Lab.with("dial-ringout") { lab in
                let caller = try lab.phone("1001")
                let process = try dial(lab, ["--config", try dialFile(lab), "--answer-timeout", "3", "1002"])
                _ = try await caller.waitFor("CALL_INCOMING")
                let status = await process.wait(timeout: .seconds(60))
                #expect(status == 75)
                #expect(process.errorOutput.contains("your phone (extension 1001) did not answer within 3 s"))
                _ = try await caller.waitFor("CALL_CLOSED")  // the CANCEL reached the phone
                await caller.hangUpAll()
            }
        }

        @Test("a wrong password: authentication failed, exit 77", .timeLimit(.minutes(3)))
        func wrongPassword() async throws {
            try await Lab.with("dial-auth") { lab in
                let process = try dial(lab, ["--config", try dialFile(lab, password: "not-the-password"), "1002"])
                let status = await process.wait(timeout: .seconds(60))
                #expect(status == 77)
                #expect(process.errorOutput.contains("the PBX refused the SIP credentials of 'agent'"))
            }
        }

        @Test("nothing answers at sip.server: unreachable, exit 69; not a number: exit 65", .timeLimit(.minutes(3)))
        func unreachableAndNotANumber() async throws {
            try await Lab.with("dial-unreachable") { lab in
                // A lab port where nothing listens (the HEP destination base+4060 has no listener either).
                let silent = try dial(lab, ["--config", try dialFile(lab, serverPort: lab.portBase + 4_061), "1002"])
                let status = await silent.wait(timeout: .seconds(60))
                #expect(status == 69)
                #expect(silent.errorOutput.contains("did not answer; check sip.server"))

                let garbage = try dial(lab, ["--config", try dialFile(lab), "mailto:anna@example.com"])
                #expect(await garbage.wait(timeout: .seconds(30)) == 65)
                #expect(garbage.errorOutput.contains("is not a phone number"))
            }
        }
    }
}
