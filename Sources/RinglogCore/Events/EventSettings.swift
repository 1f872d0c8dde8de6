/// The `events` block of a tenant configuration: chats and tickets from other systems, written to Pipedrive
/// as done activities in batches.
public struct EventSettings: Sendable, Equatable {
    /// What to do with an event whose contact no Pipedrive person has (by phone or e-mail).
    public enum UnknownContact: Sendable, Equatable {
        /// Count it and do not log it.
        case skip
        /// Log the activity with no person or organisation.
        case logWithoutPerson
        /// Create a person named from the template (`{contact}` is replaced by the phone or e-mail), then log.
        case createPerson(nameTemplate: String)
    }

    /// The directory other systems drop JSON Lines files into.
    public var spoolDirectory: String
    /// Minutes between batches; fractions are allowed (a few seconds, for tests).
    public var batchMinutes: Double
    /// The activity type `key_string` per kind.
    public var activityTypes: [ContactEvent.Kind: String]
    /// The rule for unknown contacts.
    public var unknownContact: UnknownContact
    /// Where refused lines go, one JSON object per line with the reason.
    public var rejectedFile: String

    /// Creates settings.
    public init(
        spoolDirectory: String, batchMinutes: Double = 30,
        activityTypes: [ContactEvent.Kind: String] = Self.defaultActivityTypes,
        unknownContact: UnknownContact = .logWithoutPerson, rejectedFile: String
    ) {
        self.spoolDirectory = spoolDirectory
        self.batchMinutes = batchMinutes
        self.activityTypes = activityTypes
        self.unknownContact = unknownContact
        self.rejectedFile = rejectedFile
    }

    /// The defaults for a state directory: `<state_dir>/spool`, 30 minutes, `<state_dir>/rejected.jsonl`.
    public init(stateDirectory: String) {
        self.init(spoolDirectory: "\(stateDirectory)/spool", rejectedFile: "\(stateDirectory)/rejected.jsonl")
    }

    /// `email` for tickets and `task` for chats: both exist in a new Pipedrive company.
    public static let defaultActivityTypes: [ContactEvent.Kind: String] = [
        .ticket: EventActivityMapper.defaultType(.ticket), .chat: EventActivityMapper.defaultType(.chat),
    ]

    /// The keys of the `events` block.
    public static let keys = [
        "spool_dir", "batch_minutes", "activity_types", "unknown_contact", "unknown_contact_name", "rejected_file",
    ]

    /// Reads the `events` block; paths default inside `stateDirectory`.
    public init(_ object: ConfigurationObject, stateDirectory: String) throws(ConfigurationError) {
        try object.rejectUnknownKeys(Self.keys)
        let defaults = EventSettings(stateDirectory: stateDirectory)
        let spool = try Self.absolutePath("spool_dir", in: object, example: defaults.spoolDirectory)
        let rejected = try Self.absolutePath("rejected_file", in: object, example: defaults.rejectedFile)
        var types = Self.defaultActivityTypes
        if let typesObject = try object.object("activity_types") {
            try typesObject.rejectUnknownKeys(ContactEvent.Kind.allCases.map(\.rawValue))
            for kind in ContactEvent.Kind.allCases {
                guard let key = try typesObject.string(kind.rawValue) else { continue }
                guard !key.isEmpty, key.utf8.count <= 64,
                    key.unicodeScalars.allSatisfy({
                        $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_"
                    })
                else {
                    throw ConfigurationError(
                        key: typesObject.keyPath(kind.rawValue),
                        "'\(key)' is not an activity type key_string; write the key shown by GET /v1/activityTypes, "
                            + "e.g. \"email\" or \"chat\"")
                }
                types[kind] = key
            }
        }
        var unknown = UnknownContact.logWithoutPerson
        switch try object.choice("unknown_contact", of: ["skip", "log_without_person", "create_person"]) {
        case "skip": unknown = .skip
        case "create_person":
            let template = try object.string("unknown_contact_name") ?? "Unknown contact {contact}"
            guard template.contains("{contact}") else {
                throw ConfigurationError(
                    key: object.keyPath("unknown_contact_name"),
                    "must contain {contact}, e.g. \"Unknown contact {contact}\"")
            }
            unknown = .createPerson(nameTemplate: template)
        default: break
        }
        self.init(
            spoolDirectory: spool ?? defaults.spoolDirectory,
            batchMinutes: try Self.batchMinutes(in: object) ?? defaults.batchMinutes,
            activityTypes: types, unknownContact: unknown, rejectedFile: rejected ?? defaults.rejectedFile)
    }

    /// The time between batches.
    public var batchInterval: Duration { .milliseconds(Int64((batchMinutes * 60_000).rounded())) }

    /// The smallest `batch_minutes`: 0.01 (0.6 s), for tests; production batches are minutes apart.
    public static let minimumBatchMinutes = 0.01

    /// `batch_minutes`: a number of minutes from 0.01 to 1440, fractions allowed.
    private static func batchMinutes(in object: ConfigurationObject) throws(ConfigurationError) -> Double? {
        switch object.members["batch_minutes"] {
        case nil, .null?: return nil
        case .number(let value)? where value >= minimumBatchMinutes && value <= 1440: return value
        case .number?:
            throw ConfigurationError(
                key: object.keyPath("batch_minutes"),
                "must be a number of minutes from 0.01 to 1440, e.g. 30 (fractions such as 0.05 = 3 s are for tests)")
        case let other?:
            throw ConfigurationError(key: object.keyPath("batch_minutes"), "must be a number, not \(other.typeName)")
        }
    }

    private static func absolutePath(_ key: String, in object: ConfigurationObject, example: String)
        throws(ConfigurationError) -> String?
    {
        guard let path = try object.string(key) else { return nil }
        guard path.hasPrefix("/"), path.count > 1 else {
            throw ConfigurationError(key: object.keyPath(key), "must be an absolute path, e.g. \(example)")
        }
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
