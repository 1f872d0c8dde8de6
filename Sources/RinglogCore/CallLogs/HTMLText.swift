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
}
