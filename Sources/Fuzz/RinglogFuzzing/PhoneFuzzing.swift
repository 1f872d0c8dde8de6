import RinglogCore

/// Fuzzes phone number normalisation: one input is one raw text (caller ID, URI, CRM field) as UTF-8.
///
/// Reads it with Finland's rules (the default), behind a PBX's outside-line `0`, and with two other regions'
/// rules, and checks the normaliser's promises: an E.164 result matches `^\+[1-9][0-9]{1,14}$`, and
/// normalising it again gives the same number.
public enum PhoneFuzzing {
    private static let normalizers = [
        PhoneNumberNormalizer(), PhoneNumberNormalizer(outsideLinePrefix: "0"), PhoneNumberNormalizer(region: "SE"),
        PhoneNumberNormalizer(region: "US"),
    ]

    /// Runs one input.
    public static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        let text = String(decoding: input, as: UTF8.self)
        for normalizer in normalizers {
            let fromBytes = normalizer.normalize(utf8: input)
            _ = normalizer.normalize(text)
            guard let e164 = fromBytes?.e164 else { continue }
            try require(isE164(e164), "'\(e164)' is not E.164")
            let again = normalizer.normalize(e164)?.e164
            try require(again == e164, "\(normalizer.region): '\(e164)' normalises to '\(again ?? "nothing")'")
        }
    }

    /// Whether `text` matches `^\+[1-9][0-9]{1,14}$`.
    static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.count <= 16, bytes[0] == UInt8(ascii: "+") else { return false }
        guard (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[1]) else { return false }
        return bytes.dropFirst(2).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
