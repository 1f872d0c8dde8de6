import Foundation

/// Reads one HTTP/1.1 response from a connection: status line, header fields, and the body framed by
/// `Content-Length`, chunked transfer coding, or the end of the connection.
struct HTTPResponseReader {
    /// The largest body accepted; a bigger one fails the exchange and closes the connection.
    var maximumBodyBytes: Int
    /// The longest status or header line accepted.
    static let maximumLineBytes = 16_384
    /// The most header fields accepted in one response.
    static let maximumHeaderFields = 200

    /// The response and whether the connection may carry another request.
    struct Outcome {
        var response: HTTPResponse
        var reusable: Bool
    }

    /// Reads the response to a request with `method`.
    /// - Throws: ``TransportFailure/connectionLost(_:)`` when the server closed the connection or sent
    ///   something that is not HTTP, ``TransportFailure/other(_:)`` for a body beyond the limit,
    ///   ``TransportFailure/timedOut``, `CancellationError`.
    func read(from connection: HTTPConnection, method: String, limits: HTTPExchangeLimits) throws -> Outcome {
        // Interim 1xx responses (100 Continue, 103 Early Hints) precede the final one; at most a few.
        for _ in 0..<8 {
            let (status, version) = try readStatusLine(connection, limits: limits)
            let headers = try readHeaders(connection, limits: limits)
            if (100..<200).contains(status) { continue }
            var keepAlive = version == "HTTP/1.1"
            for token in Self.tokens(Self.value(of: "connection", in: headers)) {
                if token == "close" { keepAlive = false }
                if token == "keep-alive", version == "HTTP/1.0" { keepAlive = true }
            }
            var body: [UInt8] = []
            if method == "HEAD" || status == 204 || status == 304 {
                // No body, whatever the header fields say.
            } else if Self.tokens(Self.value(of: "transfer-encoding", in: headers)).last == "chunked" {
                try readChunked(connection, into: &body, limits: limits)
            } else if let lengthText = Self.value(of: "content-length", in: headers) {
                guard let length = Int(lengthText.trimmedOfSpaces), length >= 0 else {
                    throw TransportFailure.connectionLost("the response has an invalid Content-Length")
                }
                guard length <= maximumBodyBytes else { throw tooLarge() }
                try connection.read(exactly: length, into: &body, limits: limits)
            } else {
                keepAlive = false
                guard try connection.readToEnd(into: &body, limit: maximumBodyBytes, limits: limits) else {
                    throw tooLarge()
                }
            }
            return Outcome(
                response: HTTPResponse(status: status, headers: Self.merged(headers), body: Data(body)),
                reusable: keepAlive)
        }
        throw TransportFailure.connectionLost("the server sent too many interim responses")
    }

    private func tooLarge() -> TransportFailure {
        .other("the response is larger than \(maximumBodyBytes) bytes")
    }

    private func readStatusLine(_ connection: HTTPConnection, limits: HTTPExchangeLimits) throws -> (Int, String) {
        guard let line = try connection.readLine(limit: Self.maximumLineBytes, limits: limits) else {
            throw TransportFailure.connectionLost("the server closed the connection without answering")
        }
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]),
            (100..<600).contains(status)
        else {
            throw TransportFailure.connectionLost("the server's answer is not an HTTP/1.1 response")
        }
        return (status, String(parts[0]))
    }

    private func readHeaders(_ connection: HTTPConnection, limits: HTTPExchangeLimits) throws -> [(String, String)] {
        var headers: [(String, String)] = []
        for _ in 0...Self.maximumHeaderFields {
            guard let line = try connection.readLine(limit: Self.maximumLineBytes, limits: limits) else {
                throw TransportFailure.connectionLost("the server closed the connection in the header fields")
            }
            if line.isEmpty { return headers }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else {
                throw TransportFailure.connectionLost("the response has a malformed header field")
            }
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].trimmedOfSpaces
            headers.append((name, value))
        }
        throw TransportFailure.connectionLost("the response has more than \(Self.maximumHeaderFields) header fields")
    }

    private func readChunked(_ connection: HTTPConnection, into body: inout [UInt8], limits: HTTPExchangeLimits)
        throws
    {
        // Bounded: the body limit caps the number of non-empty chunks.
        while true {
            guard let line = try connection.readLine(limit: Self.maximumLineBytes, limits: limits) else {
                throw TransportFailure.connectionLost("the server closed the connection in a chunked body")
            }
            let sizeText = String(decoding: line, as: UTF8.self).split(separator: ";", maxSplits: 1).first ?? ""
            guard let size = Int(sizeText.trimmedOfSpaces, radix: 16), size >= 0 else {
                throw TransportFailure.connectionLost("the response has a malformed chunk size")
            }
            if size == 0 { break }
            guard size <= maximumBodyBytes - body.count else { throw tooLarge() }
            try connection.read(exactly: size, into: &body, limits: limits)
            guard try connection.readLine(limit: 2, limits: limits)?.isEmpty == true else {
                throw TransportFailure.connectionLost("a chunk of the response does not end in CRLF")
            }
        }
        // Trailer fields, ended by an empty line; ignored.
        _ = try readHeaders(connection, limits: limits)
    }

    private static func value(of name: String, in headers: [(String, String)]) -> String? {
        let values = headers.filter { $0.0.lowercased() == name }.map(\.1)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    private static func tokens(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmedOfSpaces.lowercased() }
    }

    private static func merged(_ headers: [(String, String)]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in headers {
            if let existing = result[name] { result[name] = existing + ", " + value } else { result[name] = value }
        }
        return result
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmedOfSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
