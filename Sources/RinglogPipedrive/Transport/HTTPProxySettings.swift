import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP proxy: where connections go instead of the server, and the `Proxy-Authorization` it wants.
public struct HTTPProxy: Sendable, Equatable {
    /// The proxy's host name or IP address literal, without brackets.
    public var host: String
    /// The proxy's TCP port.
    public var port: Int
    /// The `Proxy-Authorization` value (`Basic …`) from the proxy URL's user name and password, if it has them.
    var authorization: String?

    /// The port of a proxy URL that names none (as curl assumes).
    public static let defaultPort = 1080

    /// Reads a proxy URL as `https_proxy` and `http_proxy` hold it: `http://[USER:PASSWORD@]HOST[:PORT][/]`,
    /// or `HOST[:PORT]` alone.
    /// - Throws: ``HTTPProxyError`` naming what to fix.
    public init(url text: String) throws(HTTPProxyError) {
        let trimmed = text.trimmedOfSpaces
        let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
        guard let url = URL(string: withScheme), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty
        else { throw HTTPProxyError(text: text, problem: "it is not a proxy address") }
        guard scheme == "http" else {
            throw HTTPProxyError(text: text, problem: "only http:// proxies are supported (the tunnel carries TLS)")
        }
        guard url.path.isEmpty || url.path == "/", url.query == nil else {
            throw HTTPProxyError(text: text, problem: "a proxy address has no path or query")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = url.port ?? Self.defaultPort
        if let user = url.user(percentEncoded: false) {
            let credentials = user + ":" + (url.password(percentEncoded: false) ?? "")
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        }
    }

    /// Where connections go: the proxy itself, over plain TCP.
    var origin: HTTPOrigin { HTTPOrigin(secure: false, host: host, port: port) }
}

/// A proxy variable that cannot be used.
public struct HTTPProxyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The value as it was given.
    public var text: String
    /// What is wrong with it.
    public var problem: String

    /// A sentence saying what to fix (the value without its password).
    public var description: String {
        "the proxy address \"\(HTTPProxySettings.withoutPassword(text))\" cannot be used: \(problem); "
            + "write it as http://HOST:PORT"
    }
}

/// Which proxy, if any, a request goes through: `https_proxy` for `https` URLs, `http_proxy` for `http` ones,
/// except for the hosts `no_proxy` lists. The same variables as curl's.
public struct HTTPProxySettings: Sendable, Equatable {
    /// The proxy of `https` requests, or the problem with the variable that names it.
    public var https: Result<HTTPProxy, HTTPProxyError>?
    /// The proxy of `http` requests, or the problem with the variable that names it.
    public var http: Result<HTTPProxy, HTTPProxyError>?
    /// Hosts reached directly: an entry matches that host and its subdomains (a leading dot is ignored); `*`
    /// matches every host. Compared without case.
    public var bypass: [String]

    /// No proxy.
    public static let direct = HTTPProxySettings()

    /// Settings with the given proxies and exceptions.
    public init(
        https: Result<HTTPProxy, HTTPProxyError>? = nil, http: Result<HTTPProxy, HTTPProxyError>? = nil,
        bypass: [String] = []
    ) {
        self.https = https
        self.http = http
        self.bypass = bypass
    }

    /// The settings the process's environment gives: `https_proxy` (or `HTTPS_PROXY`), `http_proxy` (the
    /// lower-case name only, as curl: `HTTP_PROXY` can be set by a web server's request headers), and
    /// `no_proxy` (or `NO_PROXY`), a comma-separated list of hosts, after ``loopbackHosts`` (a proxy cannot
    /// reach this machine's loopback).
    public static func environment(_ variable: (String) -> String? = Self.processVariable) -> HTTPProxySettings {
        func proxy(_ names: [String]) -> Result<HTTPProxy, HTTPProxyError>? {
            guard let text = names.lazy.compactMap(variable).first(where: { !$0.isEmpty }) else { return nil }
            do {
                return .success(try HTTPProxy(url: text))
            } catch {
                return .failure(error)
            }
        }
        let bypass = (variable("no_proxy") ?? variable("NO_PROXY") ?? "").split(separator: ",").map {
            $0.trimmedOfSpaces
        }
        return HTTPProxySettings(
            https: proxy(["https_proxy", "HTTPS_PROXY"]), http: proxy(["http_proxy"]),
            bypass: loopbackHosts + bypass.filter { !$0.isEmpty })
    }

    /// The hosts reached directly whatever `no_proxy` says.
    public static let loopbackHosts = ["localhost", "127.0.0.1", "::1"]

    /// A variable of this process's environment.
    public static func processVariable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// The proxy for `origin`, or `nil` to connect directly.
    /// - Throws: ``TransportFailure/cannotConnect(_:)`` when the variable that applies cannot be used.
    func proxy(for origin: HTTPOrigin) throws -> HTTPProxy? {
        guard let chosen = origin.secure ? https : http, !bypasses(origin.host) else { return nil }
        switch chosen {
        case .success(let proxy): return proxy
        case .failure(let problem): throw TransportFailure.cannotConnect(problem.description)
        }
    }

    /// Whether `bypass` lists `host` (or a domain above it).
    func bypasses(_ host: String) -> Bool {
        let host = host.lowercased()
        return bypass.contains { entry in
            var name = entry.lowercased()
            if name == "*" { return true }
            if name.hasPrefix(".") { name.removeFirst() }
            if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            return host == name || host.hasSuffix("." + name)
        }
    }

    /// `text` with the password of a `user:password@` part replaced by `***`, for messages.
    static func withoutPassword(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let start = text.firstRange(of: "://")?.upperBound ?? text.startIndex
        guard start < at, let colon = text[start..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
