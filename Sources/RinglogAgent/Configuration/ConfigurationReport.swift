import Foundation
import RinglogCore

/// What `ringlog check` says about a loaded configuration: one line per finding, never a secret.
public struct ConfigurationReport: Sendable {
    /// How serious one finding is.
    public enum Severity: String, Sendable {
        case ok
        case warning = "warn"
        case error
    }

    /// One line of the report.
    public struct Finding: Sendable, Equatable {
        /// How serious it is.
        public var severity: Severity
        /// What was checked, e.g. `pipedrive`.
        public var subject: String
        /// What was found, and what to do when it is not ok.
        public var detail: String
    }

    /// The findings in the order they were made.
    public private(set) var findings: [Finding] = []

    /// Checks what can be checked locally: the values, the state directory, the listening address.
    public init(configuration: TenantConfiguration) {
        add(
            .ok, "configuration",
            "tenant \(configuration.tenant), region \(configuration.region), log level \(configuration.logLevel.rawValue)"
        )
        checkStateDirectory(configuration.stateDirectory)
        switch configuration.pipedrive.credentials {
        case .apiToken(.inline):
            add(.ok, "pipedrive", "\(configuration.pipedrive.baseURL), personal API token (inline)")
        case .apiToken(.file(let path)):
            add(.ok, "pipedrive", "\(configuration.pipedrive.baseURL), personal API token from \(path)")
        case .oauth(let oauth):
            add(.ok, "pipedrive", "\(configuration.pipedrive.baseURL), OAuth app \(oauth.clientID)")
        }
        if configuration.source == .dialogEvents, let sip = configuration.sip,
            let extensions = sip.dialogEvents?.extensions
        {
            add(
                .ok, "source",
                "dialog events of \(extensions.joined(separator: ", ")) at \(sip.server) as \(sip.username)")
        } else {
            let listen = configuration.hep.listen
            add(
                listen.isLoopback ? .ok : .warning, "hep",
                listen.isLoopback
                    ? "listens on \(listen) (loopback)"
                    : "listens on \(listen), which is reachable from the network; set hep.auth_key and firewall the port"
            )
        }
        let site = configuration.site
        if site.isEmpty {
            add(
                .warning, "site",
                "no site description: every dialog is its own record and directions are unknown; set site.extension_pattern and site.pbx_addresses"
            )
        } else {
            add(
                .ok, "site",
                "extensions \(site.extensionPattern ?? "(no pattern)"), \(site.pbxAddresses.count) PBX address(es), \(site.trunkAddresses.count) trunk address(es)"
            )
        }
        if configuration.users.isEmpty {
            add(
                .warning, "users",
                "no extension is mapped to a Pipedrive user; add \"users\": {\"1001\": \"anna@example.com\"}")
        } else {
            add(.ok, "users", "\(configuration.users.count) extension(s) mapped to e-mail addresses")
        }
    }

    /// Whether any finding is an error.
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }

    /// The report as text, one `ok`/`warn`/`error` line per finding.
    public var text: String {
        findings.map {
            "\($0.severity.rawValue.padded(toWidth: 6))\($0.subject): \($0.detail)"
        }
        .joined(separator: "\n")
    }

    private mutating func add(_ severity: Severity, _ subject: String, _ detail: String) {
        findings.append(Finding(severity: severity, subject: subject, detail: detail))
    }

    private mutating func checkStateDirectory(_ path: String) {
        var status = stat()
        if stat(path, &status) == 0 {
            if status.st_mode & S_IFMT != S_IFDIR {
                add(.error, "state_dir", "\(path) is a file, not a directory")
            } else if access(path, W_OK | X_OK) != 0 {
                add(.error, "state_dir", "\(path) is not writable by this user; fix its owner or mode")
            } else {
                add(.ok, "state_dir", "\(path) is writable")
            }
        } else {
            add(.warning, "state_dir", "\(path) does not exist yet; ringlog creates it (mode 0700) when it first runs")
        }
    }
}
