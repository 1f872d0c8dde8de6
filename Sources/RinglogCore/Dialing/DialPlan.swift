/// Turns what the user clicked into the string the PBX is asked to dial: pure, no I/O.
public struct DialPlan: Sendable, Equatable {
    /// The region a number without `+` is read in.
    public var region: RegionCode
    /// The site's outside-line prefix (e.g. `0`), used to read numbers such as `00401234567`.
    public var outsideLinePrefix: String?
    /// Digits put in front of every outside number dialled (e.g. `0`); `nil` for none.
    public var dialPrefix: String?
    /// How outside numbers are written.
    public var numberFormat: DialNumberFormat
    /// The prefix for international numbers in ``DialNumberFormat/national`` form.
    public var internationalPrefix: String
    /// A regular expression matching a whole internal extension (e.g. `1\d{3}`): such numbers are
    /// dialled as they are, without normalisation or prefix.
    public var extensionPattern: String?

    /// Creates a dial plan; by default numbers are read as Finnish and dialled in E.164 form.
    public init(
        region: RegionCode = .finland, outsideLinePrefix: String? = nil, dialPrefix: String? = nil,
        numberFormat: DialNumberFormat = .e164, internationalPrefix: String = "00", extensionPattern: String? = nil
    ) {
        self.region = region
        self.outsideLinePrefix = outsideLinePrefix
        self.dialPrefix = dialPrefix
        self.numberFormat = numberFormat
        self.internationalPrefix = internationalPrefix
        self.extensionPattern = extensionPattern
    }

    /// What to dial for `raw` (a `tel:`/`callto:`/`sip:` URI or a bare number).
    /// - Throws: ``DialTargetError`` when `raw` holds no number ringlog can dial.
    public func target(for raw: String) throws(DialTargetError) -> DialTarget {
        guard let text = DialURI.numberText(from: raw) else { throw .notANumber(raw) }
        if isExtension(text) {
            return DialTarget(dialString: text, number: nil)
        }
        let normalizer = PhoneNumberNormalizer(region: region, outsideLinePrefix: outsideLinePrefix)
        guard let number = normalizer.normalize(text) else { throw .notANumber(raw) }
        guard let dialString = dialString(for: number) else { throw .notANumber(raw) }
        return DialTarget(dialString: dialString, number: number)
    }

    /// The dial string for a normalised outside number, prefix included; `nil` when it has no usable form.
    public func dialString(for number: PhoneNumber) -> String? {
        let prefix = dialPrefix ?? ""
        switch numberFormat {
        case .e164:
            if let e164 = number.e164 { return prefix + e164 }
            // Short numbers (112, 116117) have no E.164 form: dial their digits.
            return number.nationalFinnish.map { prefix + $0 }
        case .national:
            if let national = number.nationalFinnish { return prefix + national }
            guard let e164 = number.e164, e164.hasPrefix("+") else { return nil }
            return prefix + internationalPrefix + e164.dropFirst()
        }
    }

    /// Whether `text` is an internal extension by ``extensionPattern`` (digits, `*` and `#` only).
    public func isExtension(_ text: String) -> Bool {
        guard let extensionPattern, !text.isEmpty,
            text.unicodeScalars.allSatisfy({ ($0 >= "0" && $0 <= "9") || $0 == "*" || $0 == "#" }),
            let pattern = try? ExtensionPattern(extensionPattern)
        else { return false }
        return pattern.matches(text)
    }
}

/// The number the user's phone is sent to.
public struct DialTarget: Sendable, Equatable {
    /// The digits (with `+` for E.164) the PBX dials, prefix included.
    public var dialString: String
    /// The normalised number; `nil` for an internal extension.
    public var number: PhoneNumber?

    /// Creates a target.
    public init(dialString: String, number: PhoneNumber?) {
        self.dialString = dialString
        self.number = number
    }

    /// The SIP URI of the target in `domain`, e.g. `sip:0401234567@pbx.example.com`: the PBX's dial plan
    /// routes it like a number dialled on the phone.
    public func sipURI(domain: String) -> String {
        "sip:\(dialString)@\(domain)"
    }
}

/// The clicked link or argument holds no number ringlog can dial.
public enum DialTargetError: Error, Equatable, Sendable, CommandFailure {
    /// The raw argument, as given.
    case notANumber(String)

    public var message: String {
        switch self {
        case .notANumber(let raw):
            "'\(raw)' is not a phone number ringlog can dial; give a number such as +358401234567 or 0401234567, "
                + "or a tel:, callto: or sip: link"
        }
    }

    public var exitCode: ExitCode { .dataError }
}
