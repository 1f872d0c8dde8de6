/// Which way a call went, seen from the site's PBX.
public enum CallDirection: String, Codable, Sendable, Equatable {
    /// From a trunk (carrier) to the site.
    case inbound
    /// From an extension out through a trunk.
    case outbound
    /// Between the site's own extensions.
    case `internal`
    /// No site description: ringlog cannot tell.
    case unknown
}
