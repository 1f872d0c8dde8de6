/// Everything one tenant's ringlog needs to know, read from its JSON configuration file.
///
/// The keys are documented in docs/configuration.md and checked by `Config/ringlog.schema.json`.
public struct TenantConfiguration: Sendable, Equatable {
    /// The tenant's name, e.g. `acme`: letters, digits, `-` and `_` (it names the systemd instance).
    public var tenant: String
    /// The default region for numbers without `+` or an international prefix.
    public var region: RegionCode
    /// Where ringlog keeps its state (outbox, directory, tokens).
    public var stateDirectory: String
    /// How much ringlog logs.
    public var logLevel: LogLevel
    /// How to reach the tenant's Pipedrive company.
    public var pipedrive: PipedriveSettings
    /// Where HEP arrives from the PBX.
    public var hep: HEPSettings
    /// The PBX: its addresses and what an extension looks like.
    public var site: SiteSettings
    /// Extension (or SIP username) → the user's e-mail address in Pipedrive, lower case.
    public var users: [String: String]
    /// What ringlog does with calls it cannot attribute.
    public var policy: CallPolicy
    /// Limits of the call tracker.
    public var tracker: TrackerSettings
    /// Chats and tickets from other systems (the `events` block).
    public var events: EventSettings
    /// ringlog as a SIP user agent at the PBX (click-to-call, dialog events); `nil` when not configured.
    public var sip: SIPSettings?
    /// Where `ringlog run` learns calls from (`source`): HEP unless set to dialog events.
    public var source: CallSource = .hep
    /// How call logs are written (the `call_logs` block).
    public var callLogs: CallLogSettings
    /// The contact directory's sync (the `directory` block).
    public var directory: DirectorySettings
    /// How long finished outbox items are kept.
    public var outbox: OutboxSettings

    /// Creates a configuration from its parts; `init(json:)` is the usual way.
    public init(
        tenant: String, region: RegionCode = .finland, stateDirectory: String, logLevel: LogLevel = .info,
        pipedrive: PipedriveSettings, hep: HEPSettings = HEPSettings(), site: SiteSettings = SiteSettings(),
        users: [String: String] = [:], policy: CallPolicy = CallPolicy(), tracker: TrackerSettings = TrackerSettings(),
        events: EventSettings? = nil,
        sip: SIPSettings? = nil, callLogs: CallLogSettings = CallLogSettings(),
        directory: DirectorySettings = DirectorySettings(), outbox: OutboxSettings = OutboxSettings()
    ) {
        self.tenant = tenant
        self.region = region
        self.stateDirectory = stateDirectory
        self.logLevel = logLevel
        self.pipedrive = pipedrive
        self.hep = hep
        self.site = site
        self.users = users
        self.policy = policy
        self.tracker = tracker
        self.events = events ?? EventSettings(stateDirectory: stateDirectory)
        self.sip = sip
        self.callLogs = callLogs
        self.directory = directory
        self.outbox = outbox
    }

    /// Every inline secret in the configuration, with its key; the loader refuses a file readable by
    /// group or others when this is not empty.
    public var inlineSecretKeys: [String] {
        var keys: [String] = []
        if case .apiToken(.inline) = pipedrive.credentials { keys.append("pipedrive.api_token") }
        if case .oauth(let oauth) = pipedrive.credentials, case .inline = oauth.clientSecret {
            keys.append("pipedrive.oauth.client_secret")
        }
        if case .inline? = hep.authKey { keys.append("hep.auth_key") }
        if case .inline? = sip?.password { keys.append("sip.password") }
        return keys
    }
}

/// How ringlog reaches Pipedrive.
public struct PipedriveSettings: Sendable, Equatable {
    /// `https://COMPANY.pipedrive.com`; ringlog appends `/api/v1/…` and `/api/v2/…`.
    public var baseURL: String
    /// A personal API token or an OAuth app.
    public var credentials: PipedriveCredentials

    /// Creates Pipedrive settings.
    public init(baseURL: String, credentials: PipedriveCredentials) {
        self.baseURL = baseURL
        self.credentials = credentials
    }
}

/// The two ways ringlog authenticates to Pipedrive.
public enum PipedriveCredentials: Sendable, Equatable {
    /// A personal API token, sent as `x-api-token`.
    case apiToken(SecretSource)
    /// An OAuth 2.0 app; tokens come from `ringlog auth` and live in the state directory.
    case oauth(OAuthSettings)
}

/// An OAuth 2.0 app registered in Pipedrive.
public struct OAuthSettings: Sendable, Equatable {
    /// The app's client id.
    public var clientID: String
    /// The app's client secret.
    public var clientSecret: SecretSource
    /// The callback URL registered for the app.
    public var redirectURI: String
    /// Pipedrive's authorize endpoint.
    public var authorizeURL: String
    /// Pipedrive's token endpoint.
    public var tokenURL: String

    /// Creates OAuth settings with Pipedrive's endpoints as defaults.
    public init(
        clientID: String, clientSecret: SecretSource, redirectURI: String,
        authorizeURL: String = "https://oauth.pipedrive.com/oauth/authorize",
        tokenURL: String = "https://oauth.pipedrive.com/oauth/token"
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
    }
}

/// The HEP listener.
public struct HEPSettings: Sendable, Equatable {
    /// The address and port to listen on (UDP and TCP).
    public var listen: TransportEndpoint
    /// The capture password every HEP packet must carry, if any.
    public var authKey: SecretSource?

    /// Creates HEP settings; by default 127.0.0.1:9060 without a capture password.
    public init(
        listen: TransportEndpoint = TransportEndpoint(address: "127.0.0.1", port: 9060), authKey: SecretSource? = nil
    ) {
        self.listen = listen
        self.authKey = authKey
    }
}

/// The PBX site: which addresses are the PBX and the trunk, and what an internal extension looks like.
public struct SiteSettings: Sendable, Equatable {
    /// A regular expression that matches a whole internal extension, e.g. `1\d{3}`.
    public var extensionPattern: String?
    /// The PBX's SIP addresses.
    public var pbxAddresses: [TransportEndpoint]
    /// The SIP trunk's (carrier's) addresses.
    public var trunkAddresses: [TransportEndpoint]
    /// The PBX's outside-line prefix, e.g. `0`.
    public var outsideLinePrefix: String?

    /// Creates a site description; empty by default (each dialog is then its own record, direction unknown).
    public init(
        extensionPattern: String? = nil, pbxAddresses: [TransportEndpoint] = [],
        trunkAddresses: [TransportEndpoint] = [],
        outsideLinePrefix: String? = nil
    ) {
        self.extensionPattern = extensionPattern
        self.pbxAddresses = pbxAddresses
        self.trunkAddresses = trunkAddresses
        self.outsideLinePrefix = outsideLinePrefix
    }

    /// Whether anything describes the site.
    public var isEmpty: Bool { extensionPattern == nil && pbxAddresses.isEmpty && trunkAddresses.isEmpty }
}

/// What ringlog does with calls it cannot attribute to a Pipedrive user or contact.
public struct CallPolicy: Sendable, Equatable {
    /// Calls of an extension with no e-mail in `users`, or whose e-mail has no active Pipedrive user.
    public enum UnmappedExtension: Sendable, Equatable {
        /// Count the call and do not log it.
        case skip
        /// Log it under this Pipedrive user's e-mail.
        case logUnderDefaultUser(email: String)
    }

    /// Calls from or to a number no Pipedrive person has.
    public enum UnknownCaller: Sendable, Equatable {
        /// Count the call and do not log it.
        case skip
        /// Log the call with no person or organisation.
        case logWithoutPerson
        /// Create a person named from the template (`{number}` is replaced), then log on it.
        case createPerson(nameTemplate: String)
    }

    /// The deal created with a person for an unknown caller (`policy.unknown_caller_deal`).
    public struct UnknownCallerDeal: Sendable, Equatable {
        /// The deal's title; `{number}` is replaced with the caller's number.
        public var titleTemplate: String
        /// The pipeline; Pipedrive's default pipeline when `nil`.
        public var pipelineID: Int?
        /// The stage; the pipeline's first stage when `nil`.
        public var stageID: Int?

        /// Creates the deal settings.
        public init(titleTemplate: String = "Call from {number}", pipelineID: Int? = nil, stageID: Int? = nil) {
            self.titleTemplate = titleTemplate
            self.pipelineID = pipelineID
            self.stageID = stageID
        }
    }

    /// The rule for unmapped extensions.
    public var unmappedExtension: UnmappedExtension
    /// The rule for unknown callers.
    public var unknownCaller: UnknownCaller
    /// With ``UnknownCaller/createPerson(nameTemplate:)``: a deal created with the person, owned by the call's
    /// user, and linked to the call log; `nil` for none.
    public var unknownCallerDeal: UnknownCallerDeal?

    /// Creates a policy; by default unmapped extensions are skipped and unknown callers logged without a person.
    public init(
        unmappedExtension: UnmappedExtension = .skip, unknownCaller: UnknownCaller = .logWithoutPerson,
        unknownCallerDeal: UnknownCallerDeal? = nil
    ) {
        self.unmappedExtension = unmappedExtension
        self.unknownCaller = unknownCaller
        self.unknownCallerDeal = unknownCallerDeal
    }
}

/// Limits that keep the call tracker's memory bounded.
public struct TrackerSettings: Sendable, Equatable {
    /// A dialog with no final answer or BYE for this long is evicted as incomplete.
    public var maximumCallAgeSeconds: Int
    /// At most this many calls are tracked at once; the oldest is evicted beyond it.
    public var maximumOpenCalls: Int
    /// How long `ringlog run` holds HEP packets to put them in capture-time order before the tracker sees
    /// them, in milliseconds; also the least time from a hang-up to its call log.
    public var reorderWindowMilliseconds: Int

    /// Creates tracker limits: 4 hours, 100,000 calls and a 20 ms reorder window by default.
    public init(
        maximumCallAgeSeconds: Int = 14_400, maximumOpenCalls: Int = 100_000, reorderWindowMilliseconds: Int = 20
    ) {
        self.maximumCallAgeSeconds = maximumCallAgeSeconds
        self.maximumOpenCalls = maximumOpenCalls
        self.reorderWindowMilliseconds = reorderWindowMilliseconds
    }
}

/// Log levels, with their syslog priorities for journald.
public enum LogLevel: String, Sendable, Equatable, Comparable, CaseIterable {
    case debug, info, notice, warning, error

    /// The syslog priority (`<7>` … `<3>` prefixes on stderr).
    public var syslogPriority: Int {
        switch self {
        case .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.syslogPriority > rhs.syslogPriority }
}
