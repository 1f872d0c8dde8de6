import Foundation
import RinglogCore

/// The spool directory other systems drop JSON Lines files into.
///
/// The contract (docs/events.md): a writer creates the file under a temporary name (a dotfile, or a name
/// ending in `.tmp`), then renames it into the directory, so ringlog never sees a half-written file.
/// ringlog claims a file by renaming it into `processing/` under a unique name (atomic on one file system,
/// so two ringlog processes never take the same file), takes every line in, and deletes the file only after
/// every line is durably queued or rejected. A crash in between leaves the file in `processing/`, where the
/// next scan reads it again; events already queued are duplicates and change nothing.
public struct SpoolDirectory: Sendable {
    /// The directory.
    public let path: String
    /// Files larger than this are not read: they are moved to `refused/` and named in the rejected file.
    public let maximumFileBytes: Int

    /// Uses the spool at `path` (created with mode 0700, with `processing/`, when missing).
    public init(path: String, maximumFileBytes: Int = 64 << 20) throws(EventIntakeError) {
        self.path = path
        self.maximumFileBytes = maximumFileBytes
        for directory in [path, processingPath, refusedPath] {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw EventIntakeError.cannotWrite(path: directory, errno: EACCES)
            }
        }
    }

    /// Where claimed files wait while they are read.
    public var processingPath: String { "\(path)/processing" }
    /// Where files that cannot be read at all are moved.
    public var refusedPath: String { "\(path)/refused" }

    /// Whether a file name is one ringlog takes: not a dotfile, not a temporary name.
    public static func isReady(name: String) -> Bool {
        !name.hasPrefix(".") && !name.hasSuffix(".tmp") && !name.hasSuffix(".part") && !name.hasSuffix("~")
    }

    /// Takes in every ready file: first those a crash left in `processing/`, then new ones, oldest name first.
    /// - Parameter now: milliseconds since the Unix epoch.
    public func drain(into intake: EventIntake, now: @escaping @Sendable () -> Int64) async throws -> IntakeSummary {
        var summary = IntakeSummary()
        for name in try regularFiles(in: processingPath) {
            summary.add(try await process(claimed: "\(processingPath)/\(name)", intake: intake, now: now))
        }
        var claimCounter = 0
        for name in try regularFiles(in: path) where Self.isReady(name: name) {
            claimCounter += 1
            let claimed = "\(processingPath)/\(now())-\(getpid())-\(claimCounter)-\(name)"
            guard rename("\(path)/\(name)", claimed) == 0 else {
                if errno == ENOENT { continue }  // another ringlog took it first
                throw EventIntakeError.cannotWrite(path: claimed, errno: errno)
            }
            summary.add(try await process(claimed: claimed, intake: intake, now: now))
        }
        return summary
    }

    private func process(claimed: String, intake: EventIntake, now: @escaping @Sendable () -> Int64) async throws
        -> IntakeSummary
    {
        let name = PathText.lastComponent(of: claimed)
        let origin = "spool/\(Self.originalName(claimedName: name))"
        var status = stat()
        guard stat(claimed, &status) == 0 else { throw EventIntakeError.cannotRead(path: claimed, errno: errno) }
        if Int(status.st_size) > maximumFileBytes {
            let summary = try intake.rejectWhole(
                origin: origin,
                reason: "file is \(status.st_size) bytes; at most \(maximumFileBytes) are read: split it into "
                    + "smaller files (moved to \(refusedPath)/\(name))",
                now: now)
            guard rename(claimed, "\(refusedPath)/\(name)") == 0 else {
                throw EventIntakeError.cannotWrite(path: "\(refusedPath)/\(name)", errno: errno)
            }
            return summary
        }
        let descriptor = open(claimed, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw EventIntakeError.cannotRead(path: claimed, errno: errno) }
        defer { close(descriptor) }
        let summary = try await intake.ingest(fileDescriptor: descriptor, origin: origin, now: now)
        guard unlink(claimed) == 0 else { throw EventIntakeError.cannotWrite(path: claimed, errno: errno) }
        return summary
    }

    /// The name the writer gave a file, from its claimed name `<ms>-<pid>-<n>-<name>`.
    static func originalName(claimedName: String) -> String {
        let parts = claimedName.split(separator: "-", maxSplits: 3, omittingEmptySubsequences: false)
        return parts.count == 4 ? String(parts[3]) : claimedName
    }

    private func regularFiles(in directory: String) throws(EventIntakeError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw EventIntakeError.cannotRead(path: directory, errno: ENOENT)
        }
        return names.sorted().filter { name in
            var status = stat()
            return lstat("\(directory)/\(name)", &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        }
    }
}
