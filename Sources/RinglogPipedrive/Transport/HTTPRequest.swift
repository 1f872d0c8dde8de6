import Foundation

/// One HTTP request as ringlog sends it: a value, independent of any networking library.
public struct HTTPRequest: Sendable, Equatable {
    /// The method, upper case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
    public var method: String
    /// The absolute `http` or `https` URL.
    public var url: URL
    /// The header fields by name; ``setHeader(_:_:)`` keeps one field per name, whatever its case.
    public private(set) var headers: [String: String]
    /// The body (empty for none).
    public var body: Data

    /// Creates a request without header fields.
    public init(method: String = "GET", url: URL, body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = [:]
        self.body = body
    }

    /// The value of the header field `name`, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveEquals(name) }?.value
    }

    /// Sets the header field `name`, replacing a field of the same name in any case.
    public mutating func setHeader(_ name: String, _ value: String) {
        for key in headers.keys where key.caseInsensitiveEquals(name) { headers[key] = nil }
        headers[name] = value
    }
}

extension String {
    /// Whether two ASCII header names are equal ignoring case.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
