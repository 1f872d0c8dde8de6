import Foundation
import RinglogCore

#if canImport(Glibc)
    import Glibc
#endif

/// The OAuth tokens file (`<state_dir>/oauth-tokens.json`), readable by its owner only.
///
/// Writes are atomic: a new temporary file created with mode 0600 (`O_CREAT|O_EXCL`), written, fsync'd,
/// renamed over the old file, and the directory fsync'd, so a crash leaves either the old or the new
/// tokens, never a torn file.
public struct TokenFile: Sendable, Equatable, CustomStringConvertible {
    /// Why the tokens file could not be read or written.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// What went wrong and what to do, naming the file but never its contents.
        public var description: String
    }

    /// The file's path.
    public let path: String

    /// Names the tokens file at `path`.
    public init(path: String) { self.path = path }

    /// The tokens file inside a state directory.
    public init(stateDirectory: String) {
        path = PathText.appending("oauth-tokens.json", to: stateDirectory)
    }

    /// The file's path.
    public var description: String { path }

    /// Reads the stored tokens.
    /// - Returns: `nil` when the file does not exist.
    /// - Throws: ``Failure`` when it exists but cannot be read or parsed.
    public func load() throws(Failure) -> OAuthTokens? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read the tokens file \(path); check its owner and permissions")
        }
        do {
            return try JSONDecoder().decode(OAuthTokens.self, from: data)
        } catch {
            throw Failure(
                description: "the tokens file \(path) is damaged; run 'ringlog auth --config FILE' to replace it")
        }
    }

    /// What tells one version of the file from another: its inode (each save renames a new file into
    /// place), modification time and size. The time alone is not enough: file systems stamp it with a
    /// coarse clock, so two saves a few milliseconds apart can share it.
    public struct Version: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var seconds: Int
        var nanoseconds: Int
        var size: Int64
    }

    /// The file's current version, or `nil` when it does not exist.
    public func version() -> Version? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Version(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), seconds: info.st_mtim.tv_sec,
            nanoseconds: info.st_mtim.tv_nsec, size: Int64(info.st_size))
    }

    /// Replaces the stored tokens atomically; the file ends up with mode 0600.
    /// - Throws: ``Failure`` naming the step that failed.
    public func save(_ tokens: OAuthTokens) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(tokens)
        } catch {
            throw Failure(description: "cannot encode the tokens")
        }
        let directory =
            PathText.parent(of: path).isEmpty ? "." : PathText.parent(of: path)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(
                description: "cannot create \(temporary): \(Self.errorText()); check that \(directory) "
                    + "exists and is writable")
        }
        // The umask may strip bits from 0600, never add them; make the mode exact regardless.
        _ = fchmod(descriptor, 0o600)
        var written = 0
        let writeOK = data.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            while written < buffer.count {
                let result = write(descriptor, base + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return true
        }
        let synced = writeOK && fsync(descriptor) == 0
        let failureText = Self.errorText()
        close(descriptor)
        guard synced else {
            unlink(temporary)
            throw Failure(description: "cannot write \(temporary): \(failureText)")
        }
        guard rename(temporary, path) == 0 else {
            let text = Self.errorText()
            unlink(temporary)
            throw Failure(description: "cannot replace \(path): \(text)")
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            // The rename is durable only once the directory entry is on disk.
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
