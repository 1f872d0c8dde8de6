/// The line format of `ringlog normalize`: `raw<TAB>e164<TAB>national`, one line per input line.
public enum NormalizeReport {
    /// Renders the report line for one input line (without its line end).
    ///
    /// A tab or carriage return inside `raw` is shown as a space, so every line has exactly three fields.
    public static func line(for raw: String, using normalizer: PhoneNumberNormalizer) -> String {
        let number = normalizer.normalize(raw)
        let shownRaw =
            raw.contains(where: { $0 == "\t" || $0 == "\r" })
            ? String(raw.map { $0 == "\t" || $0 == "\r" ? " " : $0 }) : raw
        return "\(shownRaw)\t\(number?.e164 ?? "")\t\(number?.nationalFinnish ?? "")"
    }
}
