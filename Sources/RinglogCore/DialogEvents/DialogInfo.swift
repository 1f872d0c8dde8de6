/// One RFC 4235 `application/dialog-info+xml` document: the dialogs of one watched entity (extension).
public struct DialogInfo: Sendable, Equatable {
    /// Whether the document replaces everything known about the entity or only updates what it lists.
    public enum Completeness: String, Sendable, Equatable {
        /// Every dialog of the entity is listed; a dialog not listed has ended.
        case full
        /// Only the dialogs listed changed.
        case partial
    }

    /// The document counter (+1 per NOTIFY on one subscription); `nil` when missing or not a number.
    public var version: Int?
    /// Full or partial state.
    public var completeness: Completeness
    /// The watched URI, e.g. `sip:1001@pbx`.
    public var entity: String?
    /// The dialogs in document order.
    public var dialogs: [DialogInfoDialog]

    /// Creates a document.
    public init(version: Int?, completeness: Completeness, entity: String?, dialogs: [DialogInfoDialog]) {
        self.version = version
        self.completeness = completeness
        self.entity = entity
        self.dialogs = dialogs
    }
}

/// One `<dialog>` of a dialog-info document.
public struct DialogInfoDialog: Sendable, Equatable {
    /// The `id` attribute (required by RFC 4235; some servers make it up, e.g. `padi-…`).
    public var id: String
    /// The SIP Call-ID, when the server tells it.
    public var callID: String?
    /// The watched entity's tag.
    public var localTag: String?
    /// The other party's tag.
    public var remoteTag: String?
    /// Whether the watched entity called (`initiator`) or was called (`recipient`).
    public var direction: DialogInfoDirection?
    /// The dialog state.
    public var state: DialogInfoState
    /// Why the dialog ended or changed (`cancelled`, `rejected`, `replaced`, `local-bye`, `remote-bye`,
    /// `error`, `timeout`), lower case.
    public var stateEvent: String?
    /// The SIP status code behind the state (`code` attribute), e.g. 486.
    public var stateCode: Int?
    /// Seconds the dialog has existed, when the server says.
    public var durationSeconds: Int?
    /// The watched entity's side.
    public var local: DialogInfoParticipant?
    /// The other party.
    public var remote: DialogInfoParticipant?

    /// Creates a dialog.
    public init(
        id: String, callID: String? = nil, localTag: String? = nil, remoteTag: String? = nil,
        direction: DialogInfoDirection? = nil, state: DialogInfoState, stateEvent: String? = nil,
        stateCode: Int? = nil, durationSeconds: Int? = nil, local: DialogInfoParticipant? = nil,
        remote: DialogInfoParticipant? = nil
    ) {
        self.id = id
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
        self.direction = direction
        self.state = state
        self.stateEvent = stateEvent
        self.stateCode = stateCode
        self.durationSeconds = durationSeconds
        self.local = local
        self.remote = remote
    }
}

/// The `direction` attribute of a dialog.
public enum DialogInfoDirection: String, Sendable, Equatable {
    /// The watched entity placed the call.
    case initiator
    /// The watched entity was called.
    case recipient
}

/// The `<state>` of a dialog (RFC 4235 §3.7.1), read case-insensitively (Kamailio sends `Trying`).
public enum DialogInfoState: String, Sendable, Equatable, CaseIterable {
    /// A request was sent or received, no response yet.
    case trying
    /// A provisional response without a tag.
    case proceeding
    /// Ringing: a provisional response with a tag.
    case early
    /// Answered.
    case confirmed
    /// Ended.
    case terminated

    /// Whether the dialog has ended.
    public var isFinal: Bool { self == .terminated }
}

/// The `<local>` or `<remote>` part of a dialog.
public struct DialogInfoParticipant: Sendable, Equatable {
    /// The `<identity>` URI, e.g. `sip:+358401234567@pbx`.
    public var identity: String?
    /// The identity's `display` attribute.
    public var displayName: String?
    /// The `<target uri="…">`: the contact URI.
    public var target: String?
    /// The target's `param`s by name (e.g. `+sip.rendering` = `no` when on hold); Asterisk writes the
    /// value attribute as `pvalue`, RFC 4235 as `pval`: both are read.
    public var targetParameters: [String: String]

    /// Creates a participant.
    public init(
        identity: String? = nil, displayName: String? = nil, target: String? = nil,
        targetParameters: [String: String] = [:]
    ) {
        self.identity = identity
        self.displayName = displayName
        self.target = target
        self.targetParameters = targetParameters
    }

    /// The user part of the identity URI (`+358401234567` from `sip:+358401234567@pbx;user=phone`),
    /// or of the target when there is no identity.
    public var userPart: String? {
        guard let uri = identity ?? target else { return nil }
        var rest = Substring(uri.trimmingSpaces)
        if rest.hasPrefix("<") { rest = rest.dropFirst() }
        if let colon = rest.firstIndex(of: ":"), ["sip", "sips", "tel"].contains(rest[..<colon].lowercased()) {
            rest = rest[rest.index(after: colon)...]
        }
        if let end = rest.firstIndex(where: { $0 == "@" || $0 == ";" || $0 == ">" || $0 == "?" }) {
            rest = rest[..<end]
        }
        return rest.isEmpty ? nil : String(rest)
    }
}

/// A body that is not a dialog-info document ringlog can use.
public struct DialogInfoParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String

    public var description: String { "not a usable dialog-info document: \(reason)" }
}

extension DialogInfo {
    /// Parses a NOTIFY body. Unknown elements and attributes are ignored; a dialog without `id` or with
    /// a state ringlog does not know is skipped rather than failing the document.
    /// - Throws: ``DialogInfoParseError`` for broken XML or a root that is not `dialog-info`.
    public init(parsing body: [UInt8]) throws(DialogInfoParseError) {
        let root: XMLLiteElement
        do {
            root = try XMLLiteParser.parse(body)
        } catch {
            throw DialogInfoParseError(reason: error.reason)
        }
        guard root.name == "dialog-info" else {
            throw DialogInfoParseError(reason: "the root element is <\(root.name)>, not <dialog-info>")
        }
        let completeness: Completeness = root.attributes["state"]?.lowercased() == "partial" ? .partial : .full
        let dialogs = root.children(named: "dialog").compactMap(DialogInfoDialog.init(element:))
        self.init(
            version: root.attributes["version"].flatMap { Int($0.trimmingSpaces) }, completeness: completeness,
            entity: root.attributes["entity"], dialogs: dialogs)
    }

    /// Parses a NOTIFY body given as text.
    public init(parsing text: String) throws(DialogInfoParseError) {
        try self.init(parsing: Array(text.utf8))
    }
}

extension DialogInfoDialog {
    fileprivate init?(element: XMLLiteElement) {
        guard let id = element.attributes["id"], !id.isEmpty,
            let stateElement = element.child("state"),
            let state = stateElement.trimmedText.flatMap({ DialogInfoState(rawValue: $0.lowercased()) })
        else { return nil }
        self.init(
            id: id, callID: element.attributes["call-id"], localTag: element.attributes["local-tag"],
            remoteTag: element.attributes["remote-tag"],
            direction: element.attributes["direction"].flatMap { DialogInfoDirection(rawValue: $0.lowercased()) },
            state: state, stateEvent: stateElement.attributes["event"]?.lowercased(),
            stateCode: stateElement.attributes["code"].flatMap { Int($0) },
            durationSeconds: element.child("duration")?.trimmedText.flatMap { Int($0) },
            local: element.child("local").map(DialogInfoParticipant.init(element:)),
            remote: element.child("remote").map(DialogInfoParticipant.init(element:)))
    }
}

extension DialogInfoParticipant {
    fileprivate init(element: XMLLiteElement) {
        let identity = element.child("identity")
        let target = element.child("target")
        var parameters: [String: String] = [:]
        for parameter in target?.children(named: "param") ?? [] {
            if let name = parameter.attributes["pname"] {
                parameters[name] = parameter.attributes["pval"] ?? parameter.attributes["pvalue"] ?? ""
            }
        }
        self.init(
            identity: identity?.trimmedText, displayName: identity?.attributes["display"],
            target: target?.attributes["uri"], targetParameters: parameters)
    }
}
