extension CallLogSettings {
    /// Reads the `call_logs` block.
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["subject", "missed_subject", "note", "callback"])
        let defaults = CallLogTemplates()
        let subject = try Self.template("subject", in: object) ?? defaults.subject
        let missedSubject = try Self.template("missed_subject", in: object) ?? defaults.missedSubject
        var callBack: CallBackSettings? = CallBackSettings()
        if let block = try object.object("callback") {
            callBack = try CallBackSettings(block)
        }
        self.init(
            templates: CallLogTemplates(subject: subject, missedSubject: missedSubject),
            includesNote: try object.bool("note") ?? true, callBack: callBack)
    }

    /// A subject template: not empty, at most 255 characters, only known placeholders.
    static func template(_ key: String, in object: ConfigurationObject) throws(ConfigurationError) -> String? {
        guard let text = try object.string(key) else { return nil }
        guard !text.allSatisfy(\.isWhitespace), text.count <= 255 else {
            throw ConfigurationError(
                key: object.keyPath(key), "must be 1 to 255 characters, e.g. \"{direction} call — {result}\"")
        }
        let known = ["{direction}", "{result}", "{number}", "{extension}"]
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let placeholder = String(rest[open...close])
            guard known.contains(placeholder) else {
                throw ConfigurationError(
                    key: object.keyPath(key),
                    "has the unknown placeholder \(placeholder); use \(known.joined(separator: ", "))")
            }
            rest = rest[rest.index(after: close)...]
        }
        return text
    }
}

extension CallBackSettings {
    /// Reads `call_logs.callback`; `nil` when `enabled` is false.
    init?(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["enabled", "subject", "type", "due_in_minutes"])
        let defaults = CallBackSettings()
        let subject = try CallLogSettings.template("subject", in: object) ?? defaults.subject
        let type = try object.string("type") ?? defaults.activityType
        guard !type.isEmpty, type.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw ConfigurationError(
                key: object.keyPath("type"), "must be an activity type's key_string such as \"call\"")
        }
        let due = try object.integer("due_in_minutes", in: 0...10_080) ?? defaults.dueInMinutes
        guard try object.bool("enabled") ?? true else { return nil }
        self.init(subject: subject, activityType: type, dueInMinutes: due)
    }
}

extension DirectorySettings {
    /// Reads the `directory` block.
    init(_ object: ConfigurationObject) throws(ConfigurationError) {
        try object.rejectUnknownKeys(["sync_interval_seconds", "full_sweep_interval_seconds", "search_on_miss"])
        let defaults = DirectorySettings()
        let sync = try object.integer("sync_interval_seconds", in: 30...86_400) ?? defaults.syncIntervalSeconds
        let sweep =
            try object.integer("full_sweep_interval_seconds", in: 3_600...2_592_000)
            ?? defaults.fullSweepIntervalSeconds
        guard sweep >= sync else {
            throw ConfigurationError(
                key: object.keyPath("full_sweep_interval_seconds"),
                "must not be shorter than sync_interval_seconds (\(sync))")
        }
        self.init(
            syncIntervalSeconds: sync, fullSweepIntervalSeconds: sweep,
            searchOnMiss: try object.bool("search_on_miss") ?? defaults.searchOnMiss)
    }
}
