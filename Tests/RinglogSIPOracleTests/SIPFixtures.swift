import Foundation

/// The SIP messages in `Tests/Fixtures/sip-messages` (one message per `.sip` file, bytes as captured).
enum SIPFixtures {
    /// The fixture folder, found by walking up from this file to the package root.
    static let directory: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder.appendingPathComponent("Tests/Fixtures/sip-messages")
            }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/sip-messages").standardized
    }()

    /// Every fixture file name, sorted.
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".sip") }.sorted()
    }()

    /// The bytes of one fixture.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
