import Foundation
import RinglogCore
import RinglogStore

/// The check of `ringlog check` that reads the state directory: extensions that made calls ringlog queued
/// but that the configuration's `users` does not map to an e-mail. Their calls follow
/// `policy.unmapped_extension` (logged under the default user, or skipped and counted).
public enum SeenExtensionsCheck {
    /// Calls queued so far per extension, from the outbox (empty when there is no outbox yet).
    public static func callsByExtension(stateDirectory: String) throws -> [String: Int] {
        let path = "\(stateDirectory)/outbox.sqlite"
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let database = try SQLiteDatabase(path: path)
        let statement = try database.prepare(
            "SELECT json_extract(CAST(payload AS TEXT), '$.extension') AS extension, count(*) FROM outbox "
                + "WHERE kind = ? AND json_valid(CAST(payload AS TEXT)) GROUP BY extension")
        _ = try statement.bind([.text(CallLogWriter.kind)])
        var counts: [String: Int] = [:]
        while try statement.step() {
            guard let extensionNumber = statement.text(0), !extensionNumber.isEmpty else { continue }
            counts[extensionNumber] = Int(statement.integer(1))
        }
        return counts
    }

    /// One warning per extension that made calls and is not in `users`, busiest first.
    public static func run(_ configuration: TenantConfiguration) -> [ConfigurationReport.Finding] {
        let counts: [String: Int]
        do {
            counts = try callsByExtension(stateDirectory: configuration.stateDirectory)
        } catch {
            return [
                ConfigurationReport.Finding(
                    severity: .warning, subject: "users",
                    detail: "cannot read the outbox in \(configuration.stateDirectory) to list unmapped extensions: "
                        + "\(error)")
            ]
        }
        let unmapped = counts.filter { configuration.users[$0.key] == nil }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return unmapped.map { extensionNumber, calls in
            ConfigurationReport.Finding(
                severity: .warning, subject: "users.\(extensionNumber)",
                detail: "extension \(extensionNumber) made \(calls) call(s) but is not mapped to an e-mail; its calls "
                    + "follow policy.unmapped_extension (add \"\(extensionNumber)\": \"name@example.com\" to users)")
        }
    }
}
