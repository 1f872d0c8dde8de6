/// How call logs are written (the `call_logs` block): subjects, the note, and the call-back activity of a
/// missed inbound call.
public struct CallLogSettings: Sendable, Equatable {
    /// The subject templates.
    public var templates: CallLogTemplates
    /// Whether the call log carries the HTML note with the call's details. Without it the note holds only
    /// the marker line ringlog needs to find the log again after a crash.
    public var includesNote: Bool
    /// The call-back activity of a missed inbound call; `nil` when switched off.
    public var callBack: CallBackSettings?

    /// Creates settings; by default full notes and a call-back activity for every missed inbound call.
    public init(
        templates: CallLogTemplates = CallLogTemplates(), includesNote: Bool = true,
        callBack: CallBackSettings? = CallBackSettings()
    ) {
        self.templates = templates
        self.includesNote = includesNote
        self.callBack = callBack
    }
}

/// The undone activity that asks the user to call a missed caller back (`POST /api/v2/activities`).
public struct CallBackSettings: Sendable, Equatable {
    /// The subject; placeholders as in ``CallLogTemplates`` (`{number}`, `{extension}`, …).
    public var subject: String
    /// The activity type's `key_string`.
    public var activityType: String
    /// How long after the missed call the activity is due, in minutes (0: due at once).
    public var dueInMinutes: Int

    /// Creates settings: "Call back {number}", type `call`, due at once.
    public init(subject: String = "Call back {number}", activityType: String = "call", dueInMinutes: Int = 0) {
        self.subject = subject
        self.activityType = activityType
        self.dueInMinutes = dueInMinutes
    }
}

/// The contact directory (the `directory` block).
public struct DirectorySettings: Sendable, Equatable {
    /// Seconds between incremental syncs.
    public var syncIntervalSeconds: Int
    /// Seconds between full sweeps (every person listed again, deletions and merges found).
    public var fullSweepIntervalSeconds: Int
    /// Whether a number no indexed person has, and not searched for since the last sync, is looked up
    /// with an exact `GET /api/v2/persons/search` (20 tokens); the persons found enter the directory.
    public var searchOnMiss: Bool

    /// Creates settings: a sync every 5 minutes, a full sweep a day, no search on a miss.
    public init(syncIntervalSeconds: Int = 300, fullSweepIntervalSeconds: Int = 86_400, searchOnMiss: Bool = false) {
        self.syncIntervalSeconds = syncIntervalSeconds
        self.fullSweepIntervalSeconds = fullSweepIntervalSeconds
        self.searchOnMiss = searchOnMiss
    }
}
