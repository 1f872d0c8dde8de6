import Foundation
import RinglogFuzzing
import Testing

/// Every input a fuzz target once crashed on or found a broken promise with, kept in
/// Tests/Fixtures/fuzz-regressions/<target>/ (named as in `FuzzTarget`), runs through that target again.
@Suite struct FuzzRegressionTests {
    /// Tests/Fixtures/fuzz-regressions, two levels above this file.
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-regressions")

    /// The kept inputs of one target, sorted by name; none when the target never failed.
    static func inputs(of target: FuzzTarget) throws -> [URL] {
        let folder = regressions.appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzTarget.allCases)
    func keptInputsPass(target: FuzzTarget) throws {
        for input in try Self.inputs(of: target) {
            let bytes = [UInt8](try Data(contentsOf: input))
            #expect(throws: Never.self, "\(target.rawValue)/\(input.lastPathComponent)") {
                try bytes.withUnsafeBufferPointer { try target.run($0) }
            }
        }
    }

    @Test func everyRegressionFolderNamesATarget() throws {
        guard FileManager.default.fileExists(atPath: Self.regressions.path) else { return }
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.regressions.path)
            .filter { !$0.hasPrefix(".") }
        for folder in folders {
            #expect(FuzzTarget(rawValue: folder) != nil, "\(folder) is not a fuzz target's name")
        }
    }
}
