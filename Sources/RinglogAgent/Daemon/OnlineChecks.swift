import Foundation
import RinglogCapture
import RinglogCore
import RinglogPipedrive

/// The checks of `ringlog check` that need the network: Pipedrive reachability and authorisation, the
/// users behind the configured e-mails, the event activity types, and whether the HEP port can be bound.
public enum OnlineChecks {
    /// Runs every check; each finding is one `ok` / `warn` / `error` line.
    public static func run(_ configuration: TenantConfiguration, path: String) async -> [ConfigurationReport.Finding] {
        var findings: [ConfigurationReport.Finding] = []
        func add(_ severity: ConfigurationReport.Severity, _ subject: String, _ detail: String) {
            findings.append(ConfigurationReport.Finding(severity: severity, subject: subject, detail: detail))
        }
        do {
            let client = try Daemon.makeClient(configuration, path: path)
            let users = try await client.users()
            let active = users.filter(\.isActive)
            add(.ok, "pipedrive", "reachable at \(client.configuration.baseURL), \(active.count) active users")
            let emails = Set(active.compactMap { $0.email?.lowercased() })
            for (extensionNumber, email) in configuration.users.sorted(by: { $0.key < $1.key })
            where !emails.contains(email.lowercased()) {
                add(
                    .warning, "users.\(extensionNumber)",
                    "\(email) has no active Pipedrive user; the extension's calls follow policy.unmapped_extension")
            }
            findings += await EventActivityTypeFindings.check(configuration.events, client: client)
        } catch {
            add(.error, "pipedrive", "\(error)")
        }
        guard configuration.source == .hep else { return findings }
        let listen = configuration.hep.listen
        do {
            let listener = try HEPListener(
                configuration: HEPListener.Configuration(host: listen.address, port: listen.port))
            listener.stop()
            add(.ok, "hep.listen", "\(listen) can be bound (UDP and TCP)")
        } catch {
            add(
                .warning, "hep.listen",
                "\(listen) cannot be bound: \(error.description) (a running ringlog holds it, or another program)")
        }
        return findings
    }
}
