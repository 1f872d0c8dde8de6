import Foundation

/// One HTTP response: status, header fields and the whole body.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code, e.g. 200 or 429.
    public var status: Int
    /// The header fields by name as the server spelled them; repeated fields joined with ", ".
    public var headers: [String: String]
    /// The body, already de-chunked.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the header field `name`, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveEquals(name) }?.value
    }
}
