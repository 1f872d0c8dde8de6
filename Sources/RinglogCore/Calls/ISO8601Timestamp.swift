/// Formats and parses `2026-11-21T05:12:03.123Z` (UTC, milliseconds) without Foundation.
public enum ISO8601Timestamp {
    /// The UTC text of `time`, milliseconds truncated.
    public static func string(from time: CaptureTime) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(24)
        append(time, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the UTF-8 bytes of ``string(from:)`` to `text`.
    static func append(_ time: CaptureTime, to text: inout [UInt8]) {
        let micros = time.microsecondsSinceEpoch
        let totalMillis = micros >= 0 ? micros / 1000 : (micros - 999) / 1000
        var days = totalMillis >= 0 ? totalMillis / 86_400_000 : (totalMillis - 86_399_999) / 86_400_000
        let millisOfDay = totalMillis - days * 86_400_000
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        append(year, width: 4, to: &text)
        text.append(UInt8(ascii: "-"))
        append(month, width: 2, to: &text)
        text.append(UInt8(ascii: "-"))
        append(day, width: 2, to: &text)
        text.append(UInt8(ascii: "T"))
        append(millisOfDay / 3_600_000, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(millisOfDay / 60_000 % 60, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(millisOfDay / 1000 % 60, width: 2, to: &text)
        text.append(UInt8(ascii: "."))
        append(millisOfDay % 1000, width: 3, to: &text)
        text.append(UInt8(ascii: "Z"))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z`; `nil` for anything else.
    public static func time(from text: String) -> CaptureTime? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes.last == UInt8(ascii: "Z"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var micros: Int64 = 0
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count - 21 >= 1, bytes.count - 21 <= 6,
                let fraction = number(20, bytes.count - 21)
            else { return nil }
            var scale: Int64 = 1
            for _ in 0..<(6 - (bytes.count - 21)) { scale *= 10 }
            micros = fraction * scale
        } else if bytes.count != 20 {
            return nil
        }
        // Days since 1970-01-01 from the civil date (H. Hinnant's algorithm).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return CaptureTime(microsecondsSinceEpoch: seconds * 1_000_000 + micros)
    }

    /// `value` in decimal, padded with zeros on the left to `width` digits.
    private static func append(_ value: Int64, width: Int, to text: inout [UInt8]) {
        let digits = String(value).utf8
        if digits.count < width {
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.count))
        }
        text.append(contentsOf: digits)
    }
}
