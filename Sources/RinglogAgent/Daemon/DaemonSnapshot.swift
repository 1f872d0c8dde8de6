import Foundation
import RinglogCore

/// The live part of the status, written by the daemon to `state_dir/status.json` (atomically, mode 0600)
/// every few seconds and at exit; `ringlog status` adds the outbox's counts.
public struct DaemonSnapshot: Sendable, Equatable, Codable {
    /// The daemon's process id.
    public var pid: Int32
    /// Whether the daemon was running when it wrote this (false in the file written at exit).
    public var running: Bool
    /// When, ISO 8601 UTC.
    public var updatedAt: String
    /// Calls the tracker finished since start.
    public var callsSeen: Int
    /// The last error.
    public var lastError: String?
    /// Pipedrive authorisation, one line.
    public var authorization: String
    /// Tokens spent today (the UTC day ``tokensDay``), by endpoint.
    public var tokensByEndpoint: [String: Int]
    /// Calls of unmapped extensions since start.
    public var unmappedExtensions: [String: Int]
    /// Chat and ticket lines the spool intake refused since start; `nil` when no batches run.
    public var eventsRejected: Int?
    /// The last chat and ticket batch, one line with its time.
    public var lastEventBatch: String?
    /// The UTC day (`YYYY-MM-DD`) the token counts are for; absent in files of older versions.
    public var tokensDay: String? = nil
    /// The HEP listener's counters since start (``DaemonStatus/hepPacketKinds`` names the keys); `nil` when
    /// the daemon does not listen for HEP.
    public var hepPackets: [String: Int]? = nil

    /// The file's path in `stateDirectory`.
    public static func path(stateDirectory: String) -> String { "\(stateDirectory)/status.json" }

    /// Writes the snapshot atomically with mode 0600.
    public func write(stateDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(self)
        let path = Self.path(stateDirectory: stateDirectory)
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DaemonFailure("cannot write \(temporary)", exitCode: .cannotCreate) }
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == data.count, rename(temporary, path) == 0 else {
            throw DaemonFailure("cannot write \(path)", exitCode: .cannotCreate)
        }
    }

    /// Reads the snapshot, if there is one.
    public static func read(stateDirectory: String) -> DaemonSnapshot? {
        guard let data = FileManager.default.contents(atPath: path(stateDirectory: stateDirectory)) else { return nil }
        return try? JSONDecoder().decode(DaemonSnapshot.self, from: data)
    }
}
