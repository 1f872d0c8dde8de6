/// Where `ringlog run` learns calls from: the top-level `source` key.
public enum CallSource: String, Sendable, Equatable, CaseIterable {
    /// HEP mirrored by the PBX to `hep.listen` (the default).
    case hep
    /// RFC 4235 dialog-event subscriptions to the extensions in `sip.dialog_events`, with the `sip` block's
    /// account, for PBXes that cannot send HEP (docs/dialog-events.md).
    case dialogEvents = "dialog_events"

    /// Reads `source` from the top level; `dialog_events` needs a `sip` block with `dialog_events`.
    /// - Throws: ``ConfigurationError`` naming the key and what to write.
    public init(_ root: ConfigurationObject, sip: SIPSettings?) throws(ConfigurationError) {
        let text = try root.choice("source", of: Self.allCases.map(\.rawValue))
        self = text.flatMap(CallSource.init(rawValue:)) ?? .hep
        guard self == .dialogEvents else { return }
        guard let sip else {
            throw ConfigurationError(
                key: "sip",
                "is missing, and source \"dialog_events\" subscribes with its account; add { \"server\": "
                    + "\"192.0.2.10:5060\", \"username\": …, \"password_file\": …, \"dialog_events\": "
                    + "{\"extensions\": [\"1001\"]} }, or set \"source\": \"hep\"")
        }
        guard sip.dialogEvents != nil else {
            throw ConfigurationError(
                key: "sip.dialog_events",
                "is missing, and source \"dialog_events\" needs the extensions to watch; add "
                    + "\"dialog_events\": {\"extensions\": [\"1001\", \"1002\"]} to the sip block")
        }
    }
}
