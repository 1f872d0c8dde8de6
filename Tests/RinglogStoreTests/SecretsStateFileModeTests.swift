import Foundation
import RinglogCore
import RinglogStore
import Testing

/// Everything ringlog's stores create in a tenant's state directory (the outbox and the contact directory, with
/// SQLite's journal companions) is readable by its owner only, and the directory is owner-only too. The OAuth
/// tokens file's mode is checked where it is written (`OAuthTests`).
@Suite struct SecretsStateFileModeTests {
    @Test func everyStateFileIsOwnerOnly() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-state-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let outbox = try Outbox(directory: state)
        _ = try await outbox.enqueue(kind: "call", key: "a", payload: Array("{}".utf8), now: 1)
        let directory = try Directory(directory: state, normalizer: PhoneNumberNormalizer())
        try await directory.insert(
            DirectoryPerson(id: 1, name: "Anna", phones: ["040 012 4387"]), updatedAt: "2026-01-01T00:00:00Z")
        let files = try FileManager.default.contentsOfDirectory(atPath: state)
        #expect(files.contains("outbox.sqlite"))
        #expect(files.count >= 2)
        for file in files {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(state)/\(file)")[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) has mode \(String(mode ?? 0, radix: 8))")
        }
        let directoryMode = try FileManager.default.attributesOfItem(atPath: state)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
    }
}
