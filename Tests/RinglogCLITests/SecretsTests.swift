import Foundation
import RinglogTestSupport
import Testing

/// Runs `ringlog` commands whose configurations hold known secret values (API token, OAuth client secret, HEP
/// capture password, SIP password) through their success and failure paths, and checks that no secret appears
/// in anything they print.
///
/// ``SecretLeakScenario/all`` is the list of command lines; the running daemon with `status` and `trace`, and
/// the files it writes, are checked by `DaemonSecretsTests`.
@Suite("Secrets never appear in ringlog's output")
struct SecretsTests {
    @Test("no command prints a configured secret", arguments: SecretLeakScenario.all)
    func noSecretInOutput(scenario: SecretLeakScenario) throws {
        let files = try SecretFiles()
        let result = try RinglogBinary.run(scenario.arguments(files), input: scenario.input)
        #expect(result.status == scenario.expectedStatus, "\(result.output)\(result.error)")
        for secret in SecretFiles.secrets {
            #expect(!result.output.contains(secret), "standard output shows \(secret)")
            #expect(!result.error.contains(secret), "standard error shows \(secret)")
        }
    }
}

/// One `ringlog` command line run against the files of ``SecretFiles``, and the exit status it must end with.
struct SecretLeakScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var expectedStatus: Int32
    var input = ""
    var arguments: @Sendable (SecretFiles) -> [String]

    var testDescription: String { name }

    static let all: [SecretLeakScenario] = [
        SecretLeakScenario(name: "check, valid inline secrets", expectedStatus: 0) {
            ["check", "--offline", "--config", $0.inlineSecrets]
        },
        SecretLeakScenario(name: "check, inline secrets readable by others", expectedStatus: 78) {
            ["check", "--offline", "--config", $0.readableInlineSecrets]
        },
        SecretLeakScenario(name: "check, JSON broken right after a secret", expectedStatus: 78) {
            ["check", "--offline", "--config", $0.brokenAfterSecret]
        },
        SecretLeakScenario(name: "check, a secret under a misspelt key", expectedStatus: 78) {
            ["check", "--offline", "--config", $0.misspeltSecretKey]
        },
        SecretLeakScenario(name: "check, OAuth with secret files", expectedStatus: 0) {
            ["check", "--offline", "--config", $0.oauth]
        },
        SecretLeakScenario(name: "check, client secret file readable by others", expectedStatus: 78) {
            ["check", "--offline", "--config", $0.oauthReadableClientSecret]
        },
        SecretLeakScenario(name: "check, HEP key file readable by others", expectedStatus: 78) {
            ["check", "--offline", "--config", $0.readableHEPKey]
        },
        SecretLeakScenario(name: "auth, tenant with an API token", expectedStatus: 78) {
            ["auth", "--config", $0.inlineSecrets, "--code", "abc"]
        },
        SecretLeakScenario(name: "auth, Pipedrive unreachable", expectedStatus: 69) {
            ["auth", "--config", $0.oauth, "--code", "abc"]
        },
        SecretLeakScenario(name: "auth, state mismatch", expectedStatus: 65) {
            ["auth", "--config", $0.oauth, "--code", "https://localhost/cb?code=abc&state=forged", "--state", "mine"]
        },
        SecretLeakScenario(name: "auth, nothing pasted", expectedStatus: 65) {
            ["auth", "--config", $0.oauth]
        },
        SecretLeakScenario(name: "replay with the tenant configuration", expectedStatus: 0) {
            ["replay", "--config", $0.inlineSecrets, $0.labCapture]
        },
    ]
}

/// A scratch directory with tenant configurations that hold ``secrets``; removed when released.
final class SecretFiles: Sendable {
    /// The API token, OAuth client secret, HEP capture password and SIP password the configurations hold.
    static let secrets = [
        "tok-SECRET-api-7c1f0e", "cs-SECRET-oauth-2b9e51", "hk-SECRET-hep-41d0aa", "sp-SECRET-sip-5e83c7",
    ]

    let directory: String
    var inlineSecrets: String { directory + "/inline.json" }
    var readableInlineSecrets: String { directory + "/inline-readable.json" }
    var brokenAfterSecret: String { directory + "/broken.json" }
    var misspeltSecretKey: String { directory + "/misspelt.json" }
    var oauth: String { directory + "/oauth.json" }
    var oauthReadableClientSecret: String { directory + "/oauth-readable-secret.json" }
    var readableHEPKey: String { directory + "/readable-hep-key.json" }
    var labCapture: String {
        PackageRoot.url.appendingPathComponent("Tests/Fixtures/lab/inbound_answered.hep").path
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-secrets-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (token, clientSecret, hepKey, sipPassword) = (
            Self.secrets[0], Self.secrets[1], Self.secrets[2], Self.secrets[3]
        )
        let state = directory + "/state"
        let inline = """
            {"tenant": "acme", "state_dir": "\(state)",
             "pipedrive": {"base_url": "http://127.0.0.1:9", "api_token": "\(token)"},
             "hep": {"listen": "127.0.0.1:9060", "auth_key": "\(hepKey)"},
             "sip": {"server": "127.0.0.1:9", "username": "1001", "password": "\(sipPassword)"}}
            """
        try write(inlineSecrets, inline, mode: 0o600)
        try write(readableInlineSecrets, inline, mode: 0o644)
        try write(
            brokenAfterSecret,
            #"{"tenant": "acme", "state_dir": "\#(state)", "pipedrive": {"api_token": "\#(token)" "base_url": 1}}"#,
            mode: 0o600)
        try write(
            misspeltSecretKey,
            #"{"tenant": "acme", "state_dir": "\#(state)", "pipedrive": {"api_tokn": "\#(token)"}, "#
                + #""hep": {"auth_kye": "\#(hepKey)"}}"#, mode: 0o600)
        try write(directory + "/client-secret", clientSecret + "\n", mode: 0o600)
        try write(directory + "/hep-key", hepKey + "\n", mode: 0o600)
        func oauthConfiguration(clientSecretFile: String, hepKeyFile: String) -> String {
            """
            {"tenant": "acme", "state_dir": "\(state)",
             "pipedrive": {"base_url": "http://127.0.0.1:9",
               "oauth": {"client_id": "ringlog-test", "client_secret_file": "\(clientSecretFile)",
                         "redirect_uri": "http://localhost/cb", "token_url": "http://127.0.0.1:9/oauth/token",
                         "authorize_url": "http://127.0.0.1:9/oauth/authorize"}},
             "hep": {"auth_key_file": "\(hepKeyFile)"}}
            """
        }
        try write(directory + "/client-secret-readable", clientSecret + "\n", mode: 0o644)
        try write(directory + "/hep-key-readable", hepKey + "\n", mode: 0o644)
        let (secretFile, keyFile) = (directory + "/client-secret", directory + "/hep-key")
        try write(oauth, oauthConfiguration(clientSecretFile: secretFile, hepKeyFile: keyFile), mode: 0o600)
        try write(
            oauthReadableClientSecret,
            oauthConfiguration(clientSecretFile: secretFile + "-readable", hepKeyFile: keyFile), mode: 0o600)
        try write(
            readableHEPKey, oauthConfiguration(clientSecretFile: secretFile, hepKeyFile: keyFile + "-readable"),
            mode: 0o600)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes `text` to `path` with permissions `mode`.
    func write(_ path: String, _ text: String, mode: Int) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }
}
