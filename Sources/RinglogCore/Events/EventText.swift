/// Cutting and escaping the free text of events for Pipedrive.
public enum EventText {
    /// The most characters a text field of an event keeps in Pipedrive, the ellipsis included.
    public static let characterLimit = 256
    /// What marks a cut text.
    public static let ellipsis: Character = "…"

    /// `text` cut to at most `limit` characters (grapheme clusters, what a reader sees as one character),
    /// ending with `…` when anything was cut. The ellipsis counts toward the limit, and a cut never splits a
    /// grapheme: an emoji with skin tone or a family sequence, a flag, a letter with combining accents stays
    /// whole or goes whole. Spaces before the ellipsis are dropped.
    public static func truncate(_ text: String, limit: Int = characterLimit) -> String {
        guard limit > 0 else { return "" }
        var count = 0
        var cutIndex = text.startIndex
        for index in text.indices {
            if count == limit - 1 { cutIndex = index }
            count += 1
            if count > limit {
                var kept = text[..<cutIndex]
                while let last = kept.last, last.isWhitespace { kept = kept.dropLast() }
                return String(kept) + String(ellipsis)
            }
        }
        return text
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` written as HTML entities, for Pipedrive's HTML notes.
    public static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// `text` cut to the limit, then escaped, with line ends as `<br>`: the cut counts what the reader sees,
    /// never an entity.
    public static func noteHTML(_ text: String, limit: Int = characterLimit) -> String {
        let cut = truncate(text, limit: limit)
        var lines: [String] = []
        for line in cut.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lines.append(escapeHTML(String(line)))
        }
        return lines.joined(separator: "<br>")
    }
}
