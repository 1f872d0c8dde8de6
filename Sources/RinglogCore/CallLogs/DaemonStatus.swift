/// What `ringlog status` shows: the daemon's live counters and the outbox's durable ones. Pure rendering.
public struct DaemonStatus: Sendable, Equatable, Codable {
    /// One failed call.
    public struct Failure: Sendable, Equatable, Codable {
        /// The outbox key.
        public var key: String
        /// Why it failed.
        public var reason: String

        /// Creates a failure line.
        public init(key: String, reason: String) {
            self.key = key
            self.reason = reason
        }
    }

    /// Whether a daemon is running (its snapshot is fresh).
    public var running: Bool
    /// When the snapshot was taken, ISO 8601 UTC.
    public var updatedAt: String?
    /// Calls the tracker finished since the daemon started.
    public var callsSeen: Int
    /// Calls written to Pipedrive (outbox `done`).
    public var logged: Int
    /// Calls waiting (outbox `pending` and `sending`).
    public var pending: Int
    /// Calls that failed for good.
    public var failed: Int
    /// Calls skipped by policy.
    public var skipped: Int
    /// The newest failures.
    public var failures: [Failure]
    /// The last error the writer saw.
    public var lastError: String?
    /// Pipedrive authorisation, one line.
    public var authorization: String
    /// Tokens spent today (the current UTC day, which is Pipedrive's budget day), by endpoint.
    public var tokensByEndpoint: [String: Int]
    /// Calls of extensions with no Pipedrive user, by extension.
    public var unmappedExtensions: [String: Int]
    /// Chat and ticket events written to Pipedrive as activities (outbox `done`).
    public var eventsSent = 0
    /// Events waiting for a batch (outbox `pending` and `sending`).
    public var eventsPending = 0
    /// Events that failed for good.
    public var eventsFailed = 0
    /// Events skipped by policy.
    public var eventsSkipped = 0
    /// Lines the daemon's spool intake refused since it started (in `events.rejected_file`); `nil` when unknown.
    public var eventsRejected: Int?
    /// The daemon's last batch, one line with its time.
    public var lastEventBatch: String?
    /// The HEP listener's packet counters since the daemon started, by ``hepPacketKinds`` key; `nil` when
    /// unknown (no snapshot, or another call source).
    public var hepPackets: [String: Int]?
    /// The keys of ``hepPackets`` with what each counts, in display order.
    public static let hepPacketKinds: [(key: String, label: String)] = [
        ("received", "received"), ("malformed", "malformed"), ("wrong_password", "wrong or missing capture password"),
        ("not_sip", "not SIP"), ("dropped", "dropped (intake behind)"),
    ]
    /// Call-back activities for missed inbound calls created in Pipedrive (outbox `done`).
    public var callBacksCreated = 0
    /// Call-back activities waiting to be written (outbox `pending` and `sending`).
    public var callBacksPending = 0
    /// Call-back activities that failed for good.
    public var callBacksFailed = 0

    /// Creates a status.
    public init(
        running: Bool = false, updatedAt: String? = nil, callsSeen: Int = 0, logged: Int = 0, pending: Int = 0,
        failed: Int = 0, skipped: Int = 0, failures: [Failure] = [], lastError: String? = nil,
        authorization: String = "unknown", tokensByEndpoint: [String: Int] = [:],
        unmappedExtensions: [String: Int] = [:]
    ) {
        self.running = running
        self.updatedAt = updatedAt
        self.callsSeen = callsSeen
        self.logged = logged
        self.pending = pending
        self.failed = failed
        self.skipped = skipped
        self.failures = failures
        self.lastError = lastError
        self.authorization = authorization
        self.tokensByEndpoint = tokensByEndpoint
        self.unmappedExtensions = unmappedExtensions
    }

    /// Text for people, one fact per line.
    public var text: String {
        var lines = [
            "daemon:        \(running ? "running" : "not running")\(updatedAt.map { " (snapshot \($0))" } ?? "")",
            "calls seen:    \(callsSeen)",
            "logged:        \(logged)",
            "pending:       \(pending)",
            "failed:        \(failed)",
            "skipped:       \(skipped)",
            "authorisation: \(authorization)",
            "last error:    \(lastError ?? "none")",
        ]
        for failure in failures { lines.append("  failed \(failure.key): \(failure.reason)") }
        lines.append(
            "call-backs:    created \(callBacksCreated), pending \(callBacksPending), failed \(callBacksFailed)")
        lines.append(
            "events:        sent \(eventsSent), pending \(eventsPending), failed \(eventsFailed), skipped "
                + "\(eventsSkipped), rejected \(eventsRejected.map(String.init) ?? "unknown")")
        lines.append("last batch:    \(lastEventBatch ?? "none")")
        if let hepPackets {
            let counts = Self.hepPacketKinds.map { "\($0.label) \(hepPackets[$0.key] ?? 0)" }
            lines.append("HEP packets:   \(counts.joined(separator: ", "))")
        }
        let spent = tokensByEndpoint.sorted { $0.key < $1.key }
        lines.append("tokens today:  \(spent.reduce(0) { $0 + $1.value }) (UTC day)")
        for (endpoint, tokens) in spent { lines.append("  \(endpoint): \(tokens)") }
        if unmappedExtensions.isEmpty {
            lines.append("unmapped extensions: none")
        } else {
            let list = unmappedExtensions.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) calls)" }
            lines.append("unmapped extensions: \(list.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    /// The Prometheus text exposition format, for node_exporter's textfile collector.
    public var prometheusText: String {
        var lines: [String] = []
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(labels: String, value: Int)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name)\(sample.labels) \(sample.value)") }
        }
        metric("ringlog_up", "Whether the ringlog daemon is running.", "gauge", [("", running ? 1 : 0)])
        metric("ringlog_calls_seen_total", "Calls finished since the daemon started.", "counter", [("", callsSeen)])
        metric(
            "ringlog_calls", "Calls in the outbox by state.", "gauge",
            [
                ("{state=\"logged\"}", logged), ("{state=\"pending\"}", pending), ("{state=\"failed\"}", failed),
                ("{state=\"skipped\"}", skipped),
            ])
        metric(
            "ringlog_callbacks", "Call-back activities for missed calls in the outbox by state.", "gauge",
            [
                ("{state=\"created\"}", callBacksCreated), ("{state=\"pending\"}", callBacksPending),
                ("{state=\"failed\"}", callBacksFailed),
            ])
        metric(
            "ringlog_events", "Chat and ticket events in the outbox by state.", "gauge",
            [
                ("{state=\"sent\"}", eventsSent), ("{state=\"pending\"}", eventsPending),
                ("{state=\"failed\"}", eventsFailed), ("{state=\"skipped\"}", eventsSkipped),
            ])
        if let eventsRejected {
            metric(
                "ringlog_events_rejected_total", "Event lines the spool intake refused since start.", "counter",
                [("", eventsRejected)])
        }
        if let hepPackets {
            metric(
                "ringlog_hep_packets_total", "HEP packets the listener saw since start, by result.", "counter",
                Self.hepPacketKinds.map { ("{result=\"\($0.key)\"}", hepPackets[$0.key] ?? 0) })
        }
        metric(
            "ringlog_authorized", "Whether Pipedrive calls can go out.", "gauge",
            [("", authorization.hasPrefix("needs") ? 0 : 1)])
        metric(
            "ringlog_pipedrive_tokens_spent",
            "Pipedrive API tokens spent today (UTC day; resets at midnight UTC), by endpoint.", "counter",
            tokensByEndpoint.sorted { $0.key < $1.key }.map {
                ("{endpoint=\"\(Self.labelValue($0.key))\"}", $0.value)
            })
        metric(
            "ringlog_unmapped_extension_calls", "Calls of extensions with no Pipedrive user.", "counter",
            unmappedExtensions.sorted { $0.key < $1.key }.map {
                ("{extension=\"\(Self.labelValue($0.key))\"}", $0.value)
            })
        return lines.joined(separator: "\n") + "\n"
    }

    private static func labelValue(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
