/// Turns what PBXes, caller IDs and CRM fields contain into ``PhoneNumber`` values.
///
/// Reads free text, `tel:` URIs (with `phone-context`), `sip:`/`sips:` URIs and name-addr;
/// understands `+`, `00`, the Finnish operator prefixes (990, 994, 999, 99xxx), a country code
/// without `+`, a stray trunk `0` after the country code and a missing one; validates against
/// libphonenumber's metadata. The rules, and where they differ from libphonenumber, are in
/// docs/phone-numbers.md.
///
/// A small value: copy it freely and call it from any thread. ``normalize(_:)`` works on the
/// string's UTF-8 bytes in a stack buffer and allocates only the strings of its result.
public struct PhoneNumberNormalizer: Sendable {
    /// The region a number without `+` or an international prefix is read in.
    public var region: RegionCode {
        didSet { regionIndex = metadata.regionIndex(of: region) }
    }
    /// The PBX outside-line prefix, e.g. `"0"`: `00401234567` from the PBX then means `0401234567`.
    public var outsideLinePrefix: String?

    private let metadata: PhoneMetadata
    private var regionIndex: Int?

    /// Creates a normalizer for a default region and, optionally, the site's outside-line prefix.
    public init(region: RegionCode = .finland, outsideLinePrefix: String? = nil) {
        metadata = PhoneMetadata.shared
        self.region = region
        self.outsideLinePrefix = outsideLinePrefix
        regionIndex = metadata.regionIndex(of: region)
    }

    /// Normalises one raw string; `nil` when it holds no phone number ringlog can trust.
    public func normalize(_ raw: String) -> PhoneNumber? {
        Self.withUTF8(of: raw) { normalize(utf8: $0) }
    }

    /// Normalises one raw string given as UTF-8 bytes (invalid sequences read as letters).
    public func normalize(utf8 raw: UnsafeBufferPointer<UInt8>) -> PhoneNumber? {
        interpret(utf8: raw) { number, digits, extensionDigits in
            number.phoneNumber(digits: digits, extensionDigits: extensionDigits)
        }
    }

    /// The E.164 form of one raw string: ``normalize(_:)``'s ``PhoneNumber/e164``, without making the
    /// number's other forms (the call tracker asks for this form alone, once per call).
    public func e164(_ raw: String) -> String? {
        Self.withUTF8(of: raw) { bytes in
            interpret(utf8: bytes) { number, digits, _ in number.e164(digits: digits) } ?? nil
        }
    }

    /// Calls `body` with the UTF-8 bytes of `raw`: in place for a native string, else from a copy.
    private static func withUTF8<Result>(of raw: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = raw.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = raw
        return copy.withUTF8(body)
    }

    /// Finds the number in `raw` and hands it to `render` with its digits and extension digits (both valid
    /// only during the call); `nil` when there is none.
    private func interpret<Result>(
        utf8 raw: UnsafeBufferPointer<UInt8>,
        _ render: (InterpretedDigits, UnsafeMutablePointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result? {
        if raw.count > PhoneTextCleaner.maximumScalarCount * 4 { return nil }
        let textCapacity = PhoneTextCleaner.maximumScalarCount
        let digitCapacity = PhoneTextScanner.digitCapacity
        let capacity = textCapacity + digitCapacity + PhoneTextScanner.extensionCapacity
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { scratch -> Result? in
            guard let text = scratch.baseAddress else { return nil }
            var hasURIMarks = false
            guard
                let length = PhoneTextCleaner.clean(
                    raw, into: text, digitZeros: metadata.unicodeDigitZeros, hasURIMarks: &hasURIMarks)
            else { return nil }
            let digits = text + textCapacity
            let extensionDigits = digits + digitCapacity
            var scanner = PhoneTextScanner(text: text, digits: digits, extensionDigits: extensionDigits)
            guard scanner.scan(count: length, hasURIMarks: hasURIMarks) else { return nil }
            let scanned = scanner.result
            let found = PhoneDigitInterpreter(
                metadata: metadata, regionIndex: regionIndex, outsideLinePrefix: outsideLinePrefix, digits: digits)
            if let number = found.interpret(count: scanned.digitCount, hasPlus: scanned.hasPlus) {
                return render(
                    number, digits, UnsafeBufferPointer(start: extensionDigits, count: scanned.extensionCount))
            }
            // "0408044754 - 42", "040 … / 050 …": the part before a spaced dash or slash.
            guard scanned.boundaryDigitCount > 0,
                let number = found.interpret(count: scanned.boundaryDigitCount, hasPlus: scanned.hasPlus)
            else { return nil }
            var extensionStart = extensionDigits
            var extensionCount = scanned.extensionCount
            let trailing = scanned.digitCount - scanned.boundaryDigitCount
            if extensionCount == 0 && scanned.boundaryIsDash && trailing <= 6 {
                extensionStart = digits + scanned.boundaryDigitCount
                extensionCount = trailing
            }
            return render(number, digits, UnsafeBufferPointer(start: extensionStart, count: extensionCount))
        }
    }
}
