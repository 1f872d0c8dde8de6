import Foundation
import RinglogTestSupport
import Testing

@Suite("ringlog event add and ringlog flush")
struct EventCommandTests {
    /// A tenant configuration in a fresh directory, with an owner-only token file.
    private final class Tenant: Sendable {
        let directory: String
        var configuration: String { "\(directory)/acme.json" }
        var state: String { "\(directory)/state" }

        init() throws {
            directory = NSTemporaryDirectory() + "ringlog-event-cli-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(
                atPath: "\(directory)/token", contents: Data("test-api-token\n".utf8),
                attributes: [.posixPermissions: 0o600])
            let json = """
                {"tenant": "acme", "state_dir": "\(directory)/state",
                 "pipedrive": {"base_url": "http://127.0.0.1:9", "api_token_file": "\(directory)/token"}}
                """
            try Data(json.utf8).write(to: URL(fileURLWithPath: configuration))
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    private let valid =
        #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-11-20T14:05:09Z","agent_email":"a@b.fi","email":"c@d.fi"}"#

    @Test("accepted, duplicate and refused lines are counted; a refused line gives exit 65 and a rejected record")
    func add() throws {
        let tenant = try Tenant()
        let first = try RinglogBinary.run(
            ["event", "add", "--config", tenant.configuration], input: valid + "\n{\"kind\":\"chat\"}\n")
        #expect(first.status == 65)
        #expect(first.output.contains("accepted: 1"))
        #expect(first.output.contains("rejected: 1"))
        #expect(first.output.contains("line 2: id: is missing"))
        #expect(first.error.contains("rejected.jsonl"))
        let rejected = try String(contentsOfFile: "\(tenant.state)/rejected.jsonl", encoding: .utf8)
        #expect(rejected.contains(#""line_number":2"#))

        let second = try RinglogBinary.run(["event", "add", "--config", tenant.configuration], input: valid + "\n")
        #expect(second.status == 0)
        #expect(second.output.contains("duplicates: 1"))
    }

    @Test("usage errors and help", arguments: [["event"], ["event", "remove"], ["event", "add"], ["flush"]])
    func usage(arguments: [String]) throws {
        #expect(try RinglogBinary.run(arguments).status == 64)
        #expect(try RinglogBinary.run(arguments + ["--help"]).status == 0)
    }

    @Test("flush refuses to send with an empty contact directory: exit 75")
    func flushWithoutDirectory() throws {
        let tenant = try Tenant()
        let result = try RinglogBinary.run(["flush", "--config", tenant.configuration])
        #expect(result.status == 75)
        #expect(result.error.contains("contact directory"))
    }
}
