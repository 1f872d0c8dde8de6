/// A credential: an API token, client secret, HEP capture password or SIP password.
///
/// Its `description` never shows the value, so a secret cannot leak through string interpolation into
/// a log line or an error message.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself. Read it only where it is sent.
    public let value: String

    /// Wraps a secret value.
    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// Where a secret comes from: inline in the configuration file, or a separate credentials file.
public enum SecretSource: Sendable, Equatable {
    /// Written in the configuration file itself (which must then be readable by its owner only).
    case inline(Secret)
    /// Read from this file (first line, surrounding spaces removed); the file must be readable by its owner only.
    case file(path: String)

    /// Reads `<key>` (inline) or `<key>_file` from `object`; `nil` when neither is there.
    static func read(_ key: String, in object: ConfigurationObject) throws(ConfigurationError) -> SecretSource? {
        let inline = try object.string(key)
        let file = try object.string("\(key)_file")
        switch (inline, file) {
        case (let value?, nil):
            guard !value.trimmingSpaces.isEmpty else {
                throw ConfigurationError(key: object.keyPath(key), "is empty; write the secret or use \(key)_file")
            }
            return .inline(Secret(String(value.trimmingSpaces)))
        case (nil, let path?):
            guard path.hasPrefix("/") else {
                throw ConfigurationError(
                    key: object.keyPath("\(key)_file"), "must be an absolute path, e.g. /etc/ringlog/acme.\(key)")
            }
            return .file(path: path)
        case (nil, nil):
            return nil
        case (_?, _?):
            throw ConfigurationError(
                key: object.keyPath(key), "is given twice, inline and as \(key)_file; keep only one")
        }
    }
}
