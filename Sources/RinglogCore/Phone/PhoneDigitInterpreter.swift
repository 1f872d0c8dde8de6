/// A number found among the digits: where its national significant number lies, or that it is a
/// short number, and how to render it.
struct InterpretedDigits {
    /// The country calling code, or 0 for a short number.
    var countryCode: Int
    /// Start of the national significant number (or of the short number as dialled).
    var start: Int
    /// End of the digits.
    var end: Int

    /// Finland's country calling code: numbers with it get a Finnish national form.
    static let finlandCountryCode = 358

    /// E.164's limit: at most 15 digits, country code included (ITU-T E.164 §6). libphonenumber's metadata
    /// allows longer national numbers for a few countries; such digits have no international form.
    static let maximumE164Digits = 15

    /// The number itself, or `nil` when it is longer than E.164 allows (short numbers have no E.164 form).
    var withinE164Length: InterpretedDigits? {
        guard countryCode != 0 else { return self }
        let codeDigits = countryCode < 10 ? 1 : countryCode < 100 ? 2 : 3
        return codeDigits + end - start <= Self.maximumE164Digits ? self : nil
    }

    /// Builds the strings of the result.
    func phoneNumber(digits: UnsafeMutablePointer<UInt8>, extensionDigits: UnsafeBufferPointer<UInt8>)
        -> PhoneNumber
    {
        let numberDigits = UnsafeBufferPointer(start: digits + start, count: end - start)
        let extensionText = extensionDigits.isEmpty ? nil : Self.string(prefix: 0, prefixLength: 0, extensionDigits)
        if countryCode == 0 {
            return PhoneNumber(
                e164: nil, nationalFinnish: Self.string(prefix: 0, prefixLength: 0, numberDigits),
                extensionDigits: extensionText)
        }
        let e164 = internationalForm(numberDigits)
        let national =
            countryCode == Self.finlandCountryCode
            ? Self.string(prefix: UInt64(UInt8(ascii: "0")), prefixLength: 1, numberDigits) : nil
        return PhoneNumber(e164: e164, nationalFinnish: national, extensionDigits: extensionText)
    }

    /// The E.164 form alone (``phoneNumber(digits:extensionDigits:)``'s `e164`); `nil` for a short number.
    func e164(digits: UnsafeMutablePointer<UInt8>) -> String? {
        guard countryCode != 0 else { return nil }
        return internationalForm(UnsafeBufferPointer(start: digits + start, count: end - start))
    }

    /// `+`, the country code and the national significant number's digits.
    private func internationalForm(_ numberDigits: UnsafeBufferPointer<UInt8>) -> String {
        // "+" and the country code's digits, packed into one integer, first byte highest.
        var e164Prefix = UInt64(UInt8(ascii: "+"))
        var prefixLength = 1
        var divisor = 1
        while divisor * 10 <= countryCode { divisor *= 10 }
        while divisor > 0 {
            e164Prefix = e164Prefix << 8 | UInt64(UInt8(ascii: "0") + UInt8(countryCode / divisor % 10))
            prefixLength += 1
            divisor /= 10
        }
        return Self.string(prefix: e164Prefix, prefixLength: prefixLength, numberDigits)
    }

    /// A string of up to eight ASCII prefix bytes (packed, first byte highest) and then digits.
    private static func string(prefix: UInt64, prefixLength: Int, _ digitValues: UnsafeBufferPointer<UInt8>)
        -> String
    {
        String(unsafeUninitializedCapacity: prefixLength + digitValues.count) { buffer in
            for index in 0..<prefixLength {
                buffer[index] = UInt8(truncatingIfNeeded: prefix >> UInt64(8 * (prefixLength - 1 - index)))
            }
            for (offset, value) in digitValues.enumerated() {
                buffer[prefixLength + offset] = UInt8(ascii: "0") + value
            }
            return prefixLength + digitValues.count
        }
    }
}

/// Reads scanned digits the way libphonenumber's parser does (international prefix, country
/// code, national prefix) and checks them against the metadata's validity automata, with the
/// call-logging additions described in docs/phone-numbers.md.
struct PhoneDigitInterpreter {
    let metadata: PhoneMetadata
    let regionIndex: Int?
    let outsideLinePrefix: String?
    let digits: UnsafeMutablePointer<UInt8>

    /// The number in the first `count` digits, if there is a valid one.
    func interpret(count: Int, hasPlus: Bool) -> InterpretedDigits? {
        if hasPlus { return international(0, count)?.withinE164Length }
        // After the outside-line prefix, a number with an E.164 form wins; a short number only
        // when the digits as they are give nothing ("0112": 112 dialled with the prefix).
        var shortAfterPrefix: InterpretedDigits?
        if let prefix = outsideLinePrefix, let after = skipping(prefix, count), after < count,
            let number = national(after, count)?.withinE164Length
        {
            if number.countryCode != 0 { return number }
            shortAfterPrefix = number
        }
        return national(0, count)?.withinE164Length ?? shortAfterPrefix
    }

    /// Where the digits continue after `prefix`, if they start with it.
    private func skipping(_ prefix: String, _ count: Int) -> Int? {
        var index = 0
        for byte in prefix.utf8 {
            guard index < count, byte &- UInt8(ascii: "0") == digits[index] else { return nil }
            index += 1
        }
        return index
    }

    // MARK: Automata

    /// Whether the automaton from `start` accepts the digits `lower..<upper`.
    @inline(__always)
    private func accepts(_ start: PhoneMetadata.State, _ lower: Int, _ upper: Int) -> Bool {
        metadata.transitions.withUnsafeBufferPointer { table in
            var state = Int(start)
            var index = lower
            while index < upper {
                state = Int(table[state &* 10 &+ Int(digits[index])])
                if state == 0 { return false }
                index += 1
            }
            return metadata.accepting[state]
        }
    }

    /// Length of the longest prefix of `lower..<upper` the automaton from `start` accepts (0: none).
    private func longestPrefix(_ start: PhoneMetadata.State, _ lower: Int, _ upper: Int) -> Int {
        metadata.transitions.withUnsafeBufferPointer { table in
            var state = Int(start)
            var index = lower
            var longest = 0
            while index < upper {
                state = Int(table[state &* 10 &+ Int(digits[index])])
                if state == 0 { break }
                index += 1
                if metadata.accepting[state] { longest = index - lower }
            }
            return longest
        }
    }

    private func isValid(countryIndex: Int, _ lower: Int, _ upper: Int) -> Bool {
        accepts(metadata.countryValidityStart[countryIndex], lower, upper)
    }

    // MARK: Parsing

    /// Digits after `+` or an international prefix: country code, then national significant number.
    private func international(_ lower: Int, _ upper: Int) -> InterpretedDigits? {
        guard upper - lower >= 3, digits[lower] != 0 else { return nil }
        var code = 0
        for length in 1...3 {
            code = code * 10 + Int(digits[lower + length - 1])
            let index = Int(metadata.countryIndexByCode[code])
            guard index > 0 else { continue }
            let countryIndex = index - 1
            let region = Int(metadata.countryMainRegion[countryIndex])
            let afterCode = lower + length
            let number = nationalSignificantNumber(region: region, countryIndex: countryIndex, afterCode, upper)
            if number.isValid {
                return InterpretedDigits(countryCode: code, start: number.start, end: upper)
            }
            // The country code written twice: "+358 358 40 1234567".
            if let again = startsWithCountryCode(code, afterCode, upper) {
                let repeated = nationalSignificantNumber(region: region, countryIndex: countryIndex, again, upper)
                if repeated.isValid {
                    return InterpretedDigits(countryCode: code, start: repeated.start, end: upper)
                }
            }
            return nil
        }
        return nil
    }

    /// Digits without `+`, read in the default region.
    private func national(_ lower: Int, _ upper: Int) -> InterpretedDigits? {
        guard let region = regionIndex, upper > lower else { return nil }
        let idd = metadata.regionInternationalPrefixStart[region]
        if idd != 0 {
            let length = longestPrefix(idd, lower, upper)
            // Country codes never start with 0, so "000…" is not an international prefix.
            if length > 0 && lower + length < upper && digits[lower + length] != 0 {
                return international(lower + length, upper)
            }
        }
        let code = Int(metadata.regionCountryCode[region])
        let countryPosition = Int(metadata.countryIndexByCode[code])
        guard countryPosition > 0 else { return nil }
        let countryIndex = countryPosition - 1
        // The region's own country code without "+" ("358401234567"), kept when the number is valid
        // without it and is either not valid with it or too long with it.
        if let afterCode = startsWithCountryCode(code, lower, upper) {
            let number = nationalSignificantNumber(region: region, countryIndex: countryIndex, afterCode, upper)
            if number.isValid
                && (!isValid(countryIndex: countryIndex, lower, upper) || isTooLong(upper - lower, region: region))
            {
                return InterpretedDigits(countryCode: code, start: number.start, end: upper)
            }
        }
        let number = nationalSignificantNumber(region: region, countryIndex: countryIndex, lower, upper)
        if number.isValid {
            return InterpretedDigits(countryCode: code, start: number.start, end: upper)
        }
        // A trunk 0 typed before the country code: "0358 40 1234567".
        if number.start > lower, startsWithCountryCode(code, number.start, upper) != nil,
            let international = international(number.start, upper), international.countryCode == code
        {
            return international
        }
        let short = metadata.regionShortNumberStart[region]
        if short != 0 && accepts(short, number.start, upper) {
            return InterpretedDigits(countryCode: 0, start: lower, end: upper)
        }
        return nil
    }

    /// Where the national significant number starts after libphonenumber's national-prefix
    /// stripping, and whether it is valid. The prefix is stripped only when the rest has a
    /// possible length (not a local-only one, or is too long) and stripping does not turn a valid
    /// number into an invalid one.
    private func nationalSignificantNumber(region: Int, countryIndex: Int, _ lower: Int, _ upper: Int)
        -> (start: Int, isValid: Bool)
    {
        let unstripped = { (start: lower, isValid: isValid(countryIndex: countryIndex, lower, upper)) }
        guard region != Int(PhoneMetadata.noRegion) else { return unstripped() }
        let prefix = metadata.regionNationalPrefixStart[region]
        guard prefix != 0 else { return unstripped() }
        let length = longestPrefix(prefix, lower, upper)
        guard length > 0 else { return unstripped() }
        let stripped = lower + length
        let remaining = upper - stripped
        if remaining < 32 {
            let bit = UInt32(1) << UInt32(remaining)
            guard metadata.regionLocalOnlyLengths[region] & bit == 0,
                isTooLong(remaining, region: region) || metadata.regionPossibleLengths[region] & bit != 0
            else { return unstripped() }
        }
        if isValid(countryIndex: countryIndex, stripped, upper) { return (stripped, true) }
        if isValid(countryIndex: countryIndex, lower, upper) { return (lower, true) }
        return (stripped, false)
    }

    private func isTooLong(_ length: Int, region: Int) -> Bool {
        let lengths = metadata.regionPossibleLengths[region]
        return lengths != 0 && length > 31 - lengths.leadingZeroBitCount
    }

    /// Where the digits continue after the decimal `code`, if they start with it.
    private func startsWithCountryCode(_ code: Int, _ lower: Int, _ upper: Int) -> Int? {
        var divisor = 1
        while divisor * 10 <= code { divisor *= 10 }
        var index = lower
        var rest = code
        while divisor > 0 {
            guard index < upper, Int(digits[index]) == rest / divisor else { return nil }
            rest %= divisor
            divisor /= 10
            index += 1
        }
        return index < upper ? index : nil
    }
}
