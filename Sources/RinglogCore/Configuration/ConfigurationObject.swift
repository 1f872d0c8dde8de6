/// One JSON object of a configuration file, read with its key path so every error names the key.
public struct ConfigurationObject: Sendable {
    /// The dotted path of this object, empty at the top level.
    public let path: String
    /// The object's members.
    public let members: [String: JSONValue]

    /// Wraps `value`, which must be an object.
    public init(_ value: JSONValue, path: String) throws(ConfigurationError) {
        guard case .object(let members) = value else {
            throw ConfigurationError(key: path, "must be a JSON object ({ … }), not \(value.typeName)")
        }
        self.path = path
        self.members = members
    }

    /// The dotted path of `key` inside this object.
    public func keyPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Refuses keys this object does not know, suggesting the closest known key for a typo.
    ///
    /// Keys that start with `//` (and `$comment`) are comments and allowed everywhere.
    public func rejectUnknownKeys(_ known: [String]) throws(ConfigurationError) {
        for key in members.keys.sorted() where !known.contains(key) && !Self.isComment(key) {
            let suggestion = known.min { key.editDistance(to: $0) < key.editDistance(to: $1) }
            if let suggestion, key.editDistance(to: suggestion) <= 2 {
                throw ConfigurationError(key: keyPath(key), "unknown key; did you mean '\(suggestion)'?")
            }
            throw ConfigurationError(
                key: keyPath(key), "unknown key; the keys here are: \(known.joined(separator: ", "))")
        }
    }

    /// Whether `key` is a comment: `// …` or `$comment`.
    public static func isComment(_ key: String) -> Bool { key.hasPrefix("//") || key == "$comment" }

    /// A string member, or `nil` when absent or null.
    public func string(_ key: String) throws(ConfigurationError) -> String? {
        switch members[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw ConfigurationError(key: keyPath(key), "must be a string, not \(other.typeName)")
        }
    }

    /// A string member that must be present and not empty; `example` shows what to write.
    public func requiredString(_ key: String, example: String) throws(ConfigurationError) -> String {
        guard let value = try string(key) else {
            throw ConfigurationError(key: keyPath(key), "is missing; add it, e.g. \"\(key)\": \"\(example)\"")
        }
        guard !value.trimmingSpaces.isEmpty else {
            throw ConfigurationError(key: keyPath(key), "is empty; write e.g. \"\(example)\"")
        }
        return value
    }

    /// A boolean member, or `nil` when absent or null.
    public func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        switch members[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw ConfigurationError(key: keyPath(key), "must be true or false, not \(other.typeName)")
        }
    }

    /// A whole-number member within `range`, or `nil` when absent or null.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        switch members[key] {
        case nil, .null?: return nil
        case .number(let value)?:
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound)
            else {
                throw ConfigurationError(
                    key: keyPath(key), "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return Int(value)
        case let other?: throw ConfigurationError(key: keyPath(key), "must be a number, not \(other.typeName)")
        }
    }

    /// An array of strings, or `nil` when absent or null.
    public func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        switch members[key] {
        case nil, .null?: return nil
        case .array(let values)?:
            var strings: [String] = []
            for (index, value) in values.enumerated() {
                guard case .string(let text) = value else {
                    throw ConfigurationError(
                        key: "\(keyPath(key))[\(index)]", "must be a string, not \(value.typeName)")
                }
                strings.append(text)
            }
            return strings
        case let other?:
            throw ConfigurationError(key: keyPath(key), "must be an array of strings, not \(other.typeName)")
        }
    }

    /// An object whose values are all strings, or `nil` when absent or null.
    public func stringMap(_ key: String) throws(ConfigurationError) -> [String: String]? {
        guard let object = try object(key) else { return nil }
        var map: [String: String] = [:]
        for (name, value) in object.members where !Self.isComment(name) {
            guard case .string(let text) = value else {
                throw ConfigurationError(key: object.keyPath(name), "must be a string, not \(value.typeName)")
            }
            map[name] = text
        }
        return map
    }

    /// A nested object, or `nil` when absent or null.
    public func object(_ key: String) throws(ConfigurationError) -> ConfigurationObject? {
        guard let value = members[key], value != .null else { return nil }
        return try ConfigurationObject(value, path: keyPath(key))
    }

    /// A string member that must be one of `choices`, or `nil` when absent or null.
    public func choice(_ key: String, of choices: [String]) throws(ConfigurationError) -> String? {
        guard let value = try string(key) else { return nil }
        guard choices.contains(value) else {
            throw ConfigurationError(
                key: keyPath(key), "'\(value)' is not one of: \(choices.joined(separator: ", "))")
        }
        return value
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line ends.
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }

    /// The Levenshtein distance to `other`, for "did you mean" suggestions on short keys.
    func editDistance(to other: String) -> Int {
        let source = Array(self)
        let target = Array(other)
        guard !source.isEmpty else { return target.count }
        guard !target.isEmpty else { return source.count }
        var previous = Array(0...target.count)
        var current = previous
        for i in 1...source.count {
            current[0] = i
            for j in 1...target.count {
                let substitution = previous[j - 1] + (source[i - 1] == target[j - 1] ? 0 : 1)
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[target.count]
    }
}
