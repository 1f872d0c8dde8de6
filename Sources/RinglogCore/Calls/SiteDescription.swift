/// What ringlog knows about one site's telephony: where the PBX and the trunks are, and what an extension
/// number looks like. It decides call direction and joins a back-to-back PBX's legs into one call.
public struct SiteDescription: Sendable {
    /// The PBX's own SIP addresses, `host:port` (IPv6 as `[addr]:port`), or `host` for any port.
    public var pbxAddresses: [String] { parts.pbxAddresses }
    /// The trunk (carrier) peers' addresses, in the same form.
    public var trunkAddresses: [String] { parts.trunkAddresses }
    /// A regular expression that matches a whole extension number, e.g. `1\d{3}`; `nil` for none.
    public var extensionPattern: String? { parts.extensionPattern }

    /// Everything in one shared, immutable object: the call tracker reads the site for every call record,
    /// and a copy of a value with several lists retained and released each of them.
    private let parts: Parts

    private final class Parts: Sendable {
        let pbxAddresses: [String]
        let trunkAddresses: [String]
        let extensionPattern: String?
        let pbxEndpoints: [EndpointPattern]
        let trunkEndpoints: [EndpointPattern]
        let extensionMatcher: ExtensionPattern?

        init(pbxAddresses: [String], trunkAddresses: [String], extensionPattern: String?) throws(SiteDescriptionError) {
            self.pbxAddresses = pbxAddresses
            self.trunkAddresses = trunkAddresses
            self.extensionPattern = extensionPattern
            pbxEndpoints = try pbxAddresses.map { address throws(SiteDescriptionError) in try EndpointPattern(address) }
            trunkEndpoints = try trunkAddresses.map { address throws(SiteDescriptionError) in
                try EndpointPattern(address)
            }
            do {
                extensionMatcher = try extensionPattern.map { pattern throws(ExtensionPatternError) in
                    try ExtensionPattern(pattern)
                }
            } catch {
                throw SiteDescriptionError("extension pattern \(error)")
            }
        }
    }

    private var pbxEndpoints: [EndpointPattern] { parts.pbxEndpoints }
    private var trunkEndpoints: [EndpointPattern] { parts.trunkEndpoints }

    /// Creates a site description.
    /// - Throws: ``SiteDescriptionError`` naming the address or pattern that cannot be used.
    public init(pbxAddresses: [String], trunkAddresses: [String] = [], extensionPattern: String? = nil)
        throws(SiteDescriptionError)
    {
        parts = try Parts(
            pbxAddresses: pbxAddresses, trunkAddresses: trunkAddresses, extensionPattern: extensionPattern)
    }

    /// Whether `endpoint` is one of the PBX's addresses.
    public func isPBX(_ endpoint: TransportEndpoint) -> Bool { pbxEndpoints.contains { $0.matches(endpoint) } }

    /// Whether `endpoint` is one of the trunk peers.
    public func isTrunk(_ endpoint: TransportEndpoint) -> Bool { trunkEndpoints.contains { $0.matches(endpoint) } }

    /// The extension number in a URI user part: the whole user when it matches the pattern, else its leading
    /// digits when they do (phones register contacts such as `1002-0x559f57310cc0`); `nil` otherwise.
    /// Without a pattern, the leading digits of the user.
    public func extensionNumber(inUser user: String) -> String? {
        // The pattern is asked through the optional where it is stored: bound to a constant (`if let`), it is
        // copied, and the optional copy is destroyed through the runtime's generic code.
        switch parts.extensionMatcher?.matches(user) {
        case nil:
            let digits = Self.leadingDialCharacters(of: user)
            return digits.isEmpty ? nil : digits
        case true?:
            return user
        case false?:
            let digits = Self.leadingDialCharacters(of: user)
            if !digits.isEmpty && digits != user && parts.extensionMatcher?.matches(digits) == true { return digits }
            return nil
        }
    }

    /// Whether `user` is itself an extension number (``extensionNumber(inUser:)`` gives it back whole),
    /// without making the string of its leading digits.
    func isExtensionNumber(_ user: String) -> Bool {
        // Asked in place, as in ``extensionNumber(inUser:)``.
        if let matched = parts.extensionMatcher?.matches(user) { return matched }
        var text = user
        return text.withUTF8 { bytes in !bytes.isEmpty && bytes.allSatisfy(isDialByte) }
    }

    /// Whether a trunk list was given (direction then comes from addresses rather than numbers).
    var hasTrunks: Bool { !trunkEndpoints.isEmpty }

    /// The leading ASCII digits, `*` and `#` of `user`. Reads bytes: in UTF-8 those characters are single
    /// bytes that no other character contains, and a digit followed by a combining mark is another character.
    private static func leadingDialCharacters(of user: String) -> String {
        var text = user
        return text.withUTF8 { bytes in
            var end = 0
            while end < bytes.count, isDialByte(bytes[end]) { end += 1 }
            if end == bytes.count { return user }
            // A combining mark after the last byte makes that byte part of a longer character: not a dial one.
            if bytes[end] >= 0x80 {
                return String(user.prefix { $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") })
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        }
    }
}

/// Whether `byte` is a digit, `*` or `#`.
private func isDialByte(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "#")
}

/// Why a site description cannot be used.
public struct SiteDescriptionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong and what to write instead.
    public var description: String

    /// Creates an error with a message for the user.
    public init(_ description: String) { self.description = description }
}

/// `host:port`, `[v6]:port` or `host`.
private struct EndpointPattern: Sendable {
    /// The host in lower case.
    var host: String
    var port: UInt16?
    /// Whether ``host`` is ASCII: an ASCII address then matches exactly when it spells the host in any case.
    private(set) var hostIsASCII = false

    init(_ text: String) throws(SiteDescriptionError) {
        let trimmed = String(text.trimmingSpaces)
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw SiteDescriptionError("address '\(text)' has '[' without ']'; write IPv6 as [2001:db8::1]:5060")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close]).lowercased()
            let rest = trimmed[trimmed.index(after: close)...]
            if rest.isEmpty {
                port = nil
            } else if rest.hasPrefix(":"), let value = UInt16(rest.dropFirst()) {
                port = value
            } else {
                throw SiteDescriptionError("address '\(text)' has a bad port; write host:port, e.g. 10.0.0.1:5060")
            }
        } else if trimmed.filter({ $0 == ":" }).count > 1 {
            host = trimmed.lowercased()
            port = nil
        } else if let colon = trimmed.firstIndex(of: ":") {
            host = String(trimmed[..<colon]).lowercased()
            guard let value = UInt16(trimmed[trimmed.index(after: colon)...]) else {
                throw SiteDescriptionError("address '\(text)' has a bad port; write host:port, e.g. 10.0.0.1:5060")
            }
            port = value
        } else {
            host = trimmed.lowercased()
            port = nil
        }
        guard !host.isEmpty else { throw SiteDescriptionError("address '\(text)' has no host; write host:port") }
        hostIsASCII = host.utf8.allSatisfy { $0 < 0x80 }
    }

    func matches(_ endpoint: TransportEndpoint) -> Bool {
        guard port == nil || port == endpoint.port else { return false }
        // The same text (the usual match) compares without reading a byte.
        if endpoint.address == host { return true }
        guard hostIsASCII else { return endpoint.address.lowercased() == host }
        // An ASCII address of another length differs in any case (a non-ASCII one may still lower-case to the
        // host: the Kelvin sign becomes `k`).
        if endpoint.address.utf8.count != host.utf8.count {
            var address = endpoint.address
            if address.withUTF8({ ASCIICallIDIndex.isASCII($0) }) { return false }
        }
        var address = endpoint.address
        var pattern = host
        // An ASCII address: in lower case, byte by byte (no string is made).
        let asciiMatch = address.withUTF8 { address -> Bool? in
            guard let addressBytes = address.baseAddress else { return false }
            var isLowerCase = true
            for index in 0..<address.count {
                let byte = addressBytes[index]
                guard byte < 0x80 else { return nil }
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { isLowerCase = false }
            }
            // Lower case already: `==` found it unequal. Otherwise compared in lower case.
            if isLowerCase || address.count != pattern.utf8.count { return false }
            return pattern.withUTF8 { pattern in
                zip(address, pattern).allSatisfy { byte, wanted in
                    let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                    return lower == wanted
                }
            }
        }
        if let asciiMatch { return asciiMatch }
        return endpoint.address.lowercased() == host
    }
}
