/// Every Pipedrive operation ringlog calls: its method, API version, path and token cost.
public enum PipedriveEndpoint: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// `POST /v1/callLogs`
    case addCallLog
    /// `GET /v1/callLogs`
    case listCallLogs
    /// `GET /v1/callLogs/{id}`
    case getCallLog
    /// `DELETE /v1/callLogs/{id}`
    case deleteCallLog
    /// `POST /v1/callLogs/{id}/recordings`
    case addCallLogRecording
    /// `GET /v1/users`
    case listUsers
    /// `GET /v1/users/me`
    case getCurrentUser
    /// `GET /v1/activityTypes`
    case listActivityTypes
    /// `GET /v1/recents`
    case listRecents
    /// `GET /api/v2/persons`
    case listPersons
    /// `GET /api/v2/persons/search`
    case searchPersons
    /// `GET /api/v2/persons/{id}`
    case getPerson
    /// `POST /api/v2/persons`
    case addPerson
    /// `GET /api/v2/organizations`
    case listOrganizations
    /// `GET /api/v2/organizations/{id}`
    case getOrganization
    /// `POST /api/v2/activities`
    case addActivity
    /// `GET /api/v2/activities`
    case listActivities
    /// `PATCH /api/v2/activities/{id}`
    case updateActivity
    /// `GET /api/v2/deals`
    case listDeals
    /// `POST /api/v2/deals`
    case addDeal

    /// The HTTP method.
    public var method: String {
        switch self {
        case .addCallLog, .addCallLogRecording, .addPerson, .addActivity, .addDeal: "POST"
        case .deleteCallLog: "DELETE"
        case .updateActivity: "PATCH"
        default: "GET"
        }
    }

    /// The API version, `v1` or `v2`.
    public var version: String {
        switch self {
        case .addCallLog, .listCallLogs, .getCallLog, .deleteCallLog, .addCallLogRecording, .listUsers,
            .getCurrentUser, .listActivityTypes, .listRecents:
            "v1"
        default: "v2"
        }
    }

    /// The path below `/api/vN`, with `{id}` where an id goes.
    public var pathTemplate: String {
        switch self {
        case .addCallLog, .listCallLogs: "/callLogs"
        case .getCallLog, .deleteCallLog: "/callLogs/{id}"
        case .addCallLogRecording: "/callLogs/{id}/recordings"
        case .listUsers: "/users"
        case .getCurrentUser: "/users/me"
        case .listActivityTypes: "/activityTypes"
        case .listRecents: "/recents"
        case .listPersons, .addPerson: "/persons"
        case .searchPersons: "/persons/search"
        case .getPerson: "/persons/{id}"
        case .listOrganizations: "/organizations"
        case .getOrganization: "/organizations/{id}"
        case .addActivity, .listActivities: "/activities"
        case .updateActivity: "/activities/{id}"
        case .listDeals, .addDeal: "/deals"
        }
    }

    /// `METHOD /vN/path`, the key of the generated cost table and of ``TokenLedger``.
    public var costKey: String { "\(method) /\(version)\(pathTemplate)" }

    /// Tokens one call costs from the company's daily budget (`x-token-cost` in Pipedrive's specs).
    public var tokenCost: Int { PipedriveTokenCosts.table[costKey] ?? 0 }

    /// Whether Pipedrive applies the stricter search burst limit (10 requests per 2 s) to this endpoint.
    public var isSearch: Bool { self == .searchPersons }

    /// Same as ``costKey``.
    public var description: String { costKey }
}
