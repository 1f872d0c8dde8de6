import Foundation
import RinglogAgent
import RinglogCore
import Testing

@Suite("Configuration files")
struct ConfigurationLoaderTests {
    /// A fresh directory per test, removed afterwards.
    private final class Scratch {
        let path: String
        init() throws {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-config-\(UUID().uuidString)")
                .path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func write(_ name: String, _ text: String, mode: Int) throws -> String {
            let file = "\(path)/\(name)"
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
            return file
        }
    }

    private func configuration(token: String) -> String {
        """
        {"tenant": "acme", "state_dir": "/var/lib/ringlog/acme",
         "pipedrive": {"base_url": "https://acme.pipedrive.com", \(token)}}
        """
    }

    @Test("an inline secret in a file others can read is refused with the fix")
    func inlineSecretNeedsOwnerOnly() throws {
        let scratch = try Scratch()
        let file = try scratch.write("acme.json", configuration(token: #""api_token": "tok-123""#), mode: 0o644)
        #expect {
            try ConfigurationLoader().load(path: file)
        } throws: { error in
            guard let error = error as? ConfigurationLoadError else { return false }
            return error.exitCode == .configuration && !error.message.contains("tok-123")
                && error.message.contains(
                    "holds pipedrive.api_token inline but is readable by group or others (mode 644)")
                && error.message.contains("chmod 600")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let loaded = try ConfigurationLoader().load(path: file)
        #expect(loaded.pipedrive.credentials == .apiToken(.inline(Secret("tok-123"))))
    }

    @Test("a token file is read, and must be owner-only")
    func tokenFile() throws {
        let scratch = try Scratch()
        let tokenFile = try scratch.write("acme.token", "tok-456\n", mode: 0o640)
        let file = try scratch.write(
            "acme.json", configuration(token: #""api_token_file": "\#(tokenFile)""#), mode: 0o644)
        #expect {
            try ConfigurationLoader().load(path: file)
        } throws: { error in
            (error as? ConfigurationLoadError)?.message.contains(
                "api_token_file: \(tokenFile): holds a secret but is readable by group or others") == true
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
        let loaded = try ConfigurationLoader().load(path: file)
        let secret = try ConfigurationLoader().secret(
            .file(path: tokenFile), key: "pipedrive.api_token", configurationPath: file)
        #expect(loaded.tenant == "acme")
        #expect(secret.value == "tok-456")
    }

    @Test("missing file, broken JSON and empty token file say what to do")
    func badFiles() throws {
        let scratch = try Scratch()
        #expect(throws: ConfigurationLoadError(path: "\(scratch.path)/none.json", "cannot be read: does not exist")) {
            try ConfigurationLoader().load(path: "\(scratch.path)/none.json")
        }
        let broken = try scratch.write("broken.json", "{\"tenant\": ", mode: 0o600)
        #expect {
            try ConfigurationLoader().load(path: broken)
        } throws: { error in
            (error as? ConfigurationLoadError)?.message.hasPrefix("\(broken): is not valid JSON") == true
        }
        let emptyToken = try scratch.write("empty.token", "\n", mode: 0o600)
        let file = try scratch.write(
            "acme.json", configuration(token: #""api_token_file": "\#(emptyToken)""#), mode: 0o644)
        #expect(
            throws: ConfigurationLoadError(
                path: file, "pipedrive.api_token_file: \(emptyToken) is empty; write the secret on its first line")
        ) {
            try ConfigurationLoader().load(path: file)
        }
    }

    @Test("the bundled example configuration loads")
    func bundledExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let example = root.appendingPathComponent("Config/ringlog.example.json").path
        let scratch = try Scratch()
        // The example names /etc/ringlog/acme.token; point it at a scratch token file instead.
        let token = try scratch.write("acme.token", "example-token\n", mode: 0o600)
        let sipPassword = try scratch.write("acme.sip-password", "example-password\n", mode: 0o600)
        let text = try String(contentsOfFile: example, encoding: .utf8)
            .replacingOccurrences(of: "/etc/ringlog/acme.token", with: token)
            .replacingOccurrences(of: "/etc/ringlog/acme.sip-password", with: sipPassword)
            // The example shows the optional sip block switched off; switch it on to check it too.
            .replacingOccurrences(of: "\"// sip\": {", with: "\"sip\": {")
        let file = try scratch.write("acme.json", text, mode: 0o644)
        let loaded = try ConfigurationLoader().load(path: file)
        #expect(loaded.tenant == "acme")
        #expect(loaded.users["1001"] == "anna.virtanen@example.com")
        #expect(loaded.sip?.dialogEvents?.extensions == ["1001", "1002"])
    }
}
