import RinglogCore

/// Recognises an event's reference line in an activity note.
///
/// The mapper ends every note with `<p>ringlog-event:<kind>:<id></p>`, the marker HTML-escaped. A plain
/// substring test is not enough: `ringlog-event:chat:K-3` is part of `ringlog-event:chat:K-30`. The paragraph
/// tags around it make the match exact, because an escaped id cannot contain `<`.
public enum EventNoteMarker {
    /// Whether `note` holds `marker` as its own paragraph (escaped, as ringlog writes it, or verbatim).
    public static func note(_ note: String?, contains marker: String) -> Bool {
        guard let note, !marker.isEmpty else { return false }
        let escaped = EventText.escapeHTML(marker)
        return note.contains("<p>\(escaped)</p>") || (escaped != marker && note.contains("<p>\(marker)</p>"))
    }
}
