/// HTML escaping for text that comes from strangers (SIP display names, numbers, Call-IDs).
public enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, safe inside element content and quoted attributes.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// The inverse of ``escape(_:)``: `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;` back to their characters;
    /// anything else is left as it is.
    public static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var plain = ""
        plain.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            plain += rest[..<ampersand]
            rest = rest[ampersand...]
            if let (entity, character) = entities.first(where: { rest.hasPrefix($0.0) }) {
                plain.append(character)
                rest = rest.dropFirst(entity.count)
            } else {
                plain.append("&")
                rest = rest.dropFirst()
            }
        }
        plain += rest
        return plain
    }

    private static let entities: [(String, Character)] = [
        ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"),
    ]
}
