// Small text helpers written against the standard library only. Their Foundation counterparts
// (`trimmingCharacters(in:)`, `padding(toLength:withPad:startingAt:)`, `NSString`'s path methods) live in
// swift-corelibs-foundation proper, whose CoreFoundation initialises itself in every process that links it
// (about 4 MB resident); ringlog's binary links none of it.

extension StringProtocol {
    /// The text without leading and trailing white space; line ends count as white space only when
    /// `includingLineEnds` is true (like `CharacterSet.whitespaces` vs `.whitespacesAndNewlines`).
    public func trimmingWhitespace(includingLineEnds: Bool = false) -> String {
        let isBlank: (Character) -> Bool = { $0.isWhitespace && (includingLineEnds || !$0.isNewline) }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// The text cut or padded with spaces on the right to exactly `width` characters.
    public func padded(toWidth width: Int) -> String {
        let kept = String(prefix(Swift.max(0, width)))
        return kept + String(repeating: " ", count: Swift.max(0, width - kept.count))
    }
}

/// File-system paths as text: joining, parent directory, last component (`NSString`'s rules).
public enum PathText {
    /// `directory` and `component` joined with one `/` (just `component` when `directory` is empty).
    public static func appending(_ component: String, to directory: String) -> String {
        if directory.isEmpty { return component }
        return directory.hasSuffix("/") ? directory + component : directory + "/" + component
    }

    /// The path without its last component: `/a/b` → `/a`, `/a` → `/`, `b` → `` (empty), `/` → `/`.
    public static func parent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = withoutTrailingSlashes(String(trimmed[..<slash]))
        return parent.isEmpty ? "/" : parent
    }

    /// The last component: `/a/b.json` → `b.json`, `/a/b/` → `b`, `/` → `/`.
    public static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let last = String(trimmed[trimmed.index(after: slash)...])
        return last.isEmpty ? "/" : last
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1, result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }
}
