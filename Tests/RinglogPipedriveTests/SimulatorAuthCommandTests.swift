import Foundation
import RinglogTestSupport
import Testing

@testable import RinglogPipedrive

/// Runs the built `ringlog` executable (next to the test bundle) against the simulator.
@Suite(
    "ringlog auth against the Pipedrive simulator",
    .enabled(if: PipedriveSimulator.isAvailable && RinglogBinary.path != nil))
struct SimulatorAuthCommandTests {
    /// Runs `ringlog` with `arguments` and `input` on standard input; waits for it to exit.
    static func ringlog(_ arguments: [String], input: String = "") throws -> RinglogBinary.Result {
        try RinglogBinary.run(arguments, input: input)
    }

    /// Writes a tenant configuration for the simulator; the secret goes to a separate owner-only file.
    static func writeConfig(_ simulator: PipedriveSimulator, in directory: TemporaryDirectory) throws -> String {
        let secretFile = directory.path + "/secret"
        try PipedriveSimulator.clientSecret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile)
        let config: [String: Any] = [
            "tenant": "acme", "state_dir": directory.path + "/state",
            "pipedrive": [
                "base_url": simulator.baseURL.absoluteString,
                "oauth": [
                    "client_id": PipedriveSimulator.clientID, "client_secret_file": secretFile,
                    "redirect_uri": PipedriveSimulator.redirectURI,
                    "authorize_url": simulator.baseURL.appendingPathComponent("oauth/authorize").absoluteString,
                    "token_url": simulator.baseURL.appendingPathComponent("oauth/token").absoluteString,
                ],
            ],
        ]
        let path = directory.path + "/tenant.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("--code with the redirect address stores the tokens 0600 and names the user, never printing tokens")
    func authorises() async throws {
        try await PipedriveSimulator.with { simulator in
            let directory = try TemporaryDirectory()
            defer { directory.cleanUp() }
            let config = try Self.writeConfig(simulator, in: directory)
            let code = try await simulator.authorizationCode(state: "st4te")
            let redirect = "\(PipedriveSimulator.redirectURI)?code=\(code)&state=st4te"
            let outcome = try Self.ringlog(["auth", "--config", config, "--code", redirect, "--state", "st4te"])
            #expect(outcome.status == 0, "\(outcome.error)")
            #expect(outcome.output.contains("Authorised as Aino Admin"))
            let tokens = try #require(try TokenFile(stateDirectory: directory.path + "/state").load())
            #expect(!outcome.output.contains(tokens.accessToken))
            #expect(!outcome.output.contains(tokens.refreshToken))
            #expect(!outcome.output.contains(PipedriveSimulator.clientSecret))
            let attributes = try FileManager.default.attributesOfItem(
                atPath: directory.path + "/state/oauth-tokens.json")
            #expect((attributes[.posixPermissions] as? Int) == 0o600)

            let reused = try Self.ringlog(["auth", "--config", config, "--code", code])
            #expect(reused.status == 77)
            #expect(reused.error.contains("authorization_code is invalid"))
            #expect(!reused.error.contains(code))
        }
    }

    @Test("the interactive flow prints the authorize URL and refuses a redirect from another attempt")
    func interactive() async throws {
        try await PipedriveSimulator.with { simulator in
            let directory = try TemporaryDirectory()
            defer { directory.cleanUp() }
            let config = try Self.writeConfig(simulator, in: directory)
            let outcome = try Self.ringlog(
                ["auth", "--config", config], input: "\(PipedriveSimulator.redirectURI)?code=abc&state=not-ours\n")
            #expect(outcome.status == 65)
            #expect(outcome.output.contains("/oauth/authorize?client_id=ringlog-test-client"))
            #expect(outcome.output.contains("redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback"))
            #expect(outcome.error.contains("state does not match"))
            #expect(Self.status(of: try Self.ringlog(["auth"])) == 64)
            #expect(Self.status(of: try Self.ringlog(["auth", "--config", directory.path + "/missing.json"])) == 78)
        }
    }

    static func status(of outcome: RinglogBinary.Result) -> Int32 { outcome.status }
}
