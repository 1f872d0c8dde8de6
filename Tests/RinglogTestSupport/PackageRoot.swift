import Foundation

/// Paths in this checkout, found from this file's path: tests read shared fixtures and run scripts from it.
public enum PackageRoot {
    /// The package's root directory: the first ancestor of this file that holds a Package.swift.
    public static let url: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8
        where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    /// The package root as a path.
    public static var path: String { url.path }

    /// A path below the package root, e.g. `Tests/Fixtures/lab`.
    public static func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }
}
