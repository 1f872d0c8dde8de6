import Foundation

/// The built `ringlog` executable: next to the test bundle after `swift build --build-tests`.
public enum RinglogBinary {
    /// The binary's path, or `nil` when it was not built.
    public static let path: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("ringlog").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    /// The binary's URL; where it would be when it was not built (starting it then fails with a clear error).
    public static var url: URL {
        URL(
            fileURLWithPath: path
                ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("ringlog").path)
    }
}

extension RinglogBinary {
    /// What one run of `ringlog` printed and returned.
    public struct Result: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var output: String
        /// Standard error.
        public var error: String
    }

    /// Runs `ringlog` with `arguments` as a user would, feeding `input` on standard input, and waits for it.
    public static func run(_ arguments: [String], input: String = "") throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // Read standard error on another thread: a process that fills one pipe while the other is read
        // would otherwise block forever.
        let errorData = ErrorCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = errorData.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self))
    }
}

/// Reads a pipe to its end on its own thread.
private final class ErrorCollector: @unchecked Sendable {
    // Invariant: `data` is written only by the reading thread before `done` is signalled, and read only
    // after waiting for `done`.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
