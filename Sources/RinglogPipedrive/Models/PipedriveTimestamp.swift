import Foundation

/// Pipedrive's time formats, converted at the edge so that the rest of ringlog only sees `Date`.
///
/// v1 writes `YYYY-MM-DD HH:MM:SS` in UTC; v2 writes RFC 3339 (`2021-01-01T00:00:00Z`); some v1 responses
/// use `2022-12-12T01:01:01.000Z`. Parsing accepts all of them; formatting uses what each API expects.
public enum PipedriveTimestamp {
    /// Formats `date` as v1 expects it: `YYYY-MM-DD HH:MM:SS` in UTC (fractions dropped).
    public static func v1(_ date: Date) -> String {
        let parts = Parts(date)
        return "\(parts.dateText) \(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
    }

    /// Formats `date` as RFC 3339 in UTC without fractions, e.g. `2025-01-01T10:20:00Z` (v2 filters).
    public static func rfc3339(_ date: Date) -> String {
        let parts = Parts(date)
        return "\(parts.dateText)T\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))Z"
    }

    /// Formats the UTC calendar day of `date` as `YYYY-MM-DD`.
    public static func day(_ date: Date) -> String { Parts(date).dateText }

    /// Formats the UTC time of day of `date` as `HH:MM`.
    public static func timeOfDay(_ date: Date) -> String {
        let parts = Parts(date)
        return "\(pad(parts.hour)):\(pad(parts.minute))"
    }

    /// Formats a duration as `HH:MM` (v2 activity `duration`), rounding to the nearest minute.
    public static func hoursAndMinutes(_ duration: Duration) -> String {
        let minutes = max(0, Int((Double(duration.components.seconds) / 60).rounded()))
        return "\(pad(minutes / 60)):\(pad(minutes % 60))"
    }

    /// Parses an HTTP date (RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, as in `Retry-After`).
    /// - Returns: `nil` when `text` is not in that form.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT", parts[1].count == 2, parts[3].count == 4,
            parts[4].count == 8, let month = months.firstIndex(of: String(parts[2]))
        else { return nil }
        return parse("\(parts[3])-\(pad(month + 1))-\(parts[1]) \(parts[4])")
    }

    /// Parses any of Pipedrive's timestamp forms, or a bare `YYYY-MM-DD` (midnight UTC).
    /// - Returns: `nil` when `text` is none of them.
    public static func parse(_ text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
            let day = scanner.number(2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day) * 86_400)
        if scanner.atEnd { return Date(timeIntervalSince1970: seconds) }
        guard scanner.skip(" ") || scanner.skip("T"), let hour = scanner.number(2), scanner.skip(":"),
            let minute = scanner.number(2), hour < 24, minute < 60
        else { return nil }
        var second = 0
        if scanner.skip(":") {
            guard let value = scanner.number(2), value <= 60 else { return nil }
            second = value
        }
        seconds += Double(hour * 3600 + minute * 60 + second)
        if scanner.skip(".") {
            let (fraction, digits) = scanner.digits()
            guard digits > 0 else { return nil }
            seconds += Double(fraction) / pow(10, Double(digits))
        }
        if scanner.skip("Z") || scanner.skip("z") || scanner.atEnd {
            return scanner.atEnd ? Date(timeIntervalSince1970: seconds) : nil
        }
        let sign: Double
        if scanner.skip("+") {
            sign = 1
        } else if scanner.skip("-") {
            sign = -1
        } else {
            return nil
        }
        guard let offsetHours = scanner.number(2) else { return nil }
        _ = scanner.skip(":")
        let offsetMinutes = scanner.number(2) ?? 0
        guard scanner.atEnd else { return nil }
        seconds -= sign * Double(offsetHours * 3600 + offsetMinutes * 60)
        return Date(timeIntervalSince1970: seconds)
    }

    /// The next midnight UTC strictly after `date`: when Pipedrive's daily budget resets by default.
    public static func nextMidnightUTC(after date: Date) -> Date {
        let day = (date.timeIntervalSince1970 / 86_400).rounded(.down)
        return Date(timeIntervalSince1970: (day + 1) * 86_400)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The UTC calendar fields of a date.
    private struct Parts {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int

        init(_ date: Date) {
            let total = Int(date.timeIntervalSince1970.rounded(.down))
            var days = total / 86_400
            var secondsOfDay = total % 86_400
            if secondsOfDay < 0 {
                secondsOfDay += 86_400
                days -= 1
            }
            hour = secondsOfDay / 3600
            minute = secondsOfDay % 3600 / 60
            second = secondsOfDay % 60
            // Inverse of daysFromCivil.
            let shifted = days + 719_468
            let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
            let dayOfEra = shifted - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let monthIndex = (5 * dayOfYear + 2) / 153
            day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
            month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
            year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        }

        var dateText: String {
            let yearText = String(year)
            let paddedYear = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
            return "\(paddedYear)-\(PipedriveTimestamp.pad(month))-\(PipedriveTimestamp.pad(day))"
        }
    }

    /// Reads fixed-width decimal numbers and literal characters from ASCII bytes.
    private struct DigitScanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }

        mutating func digits() -> (value: Int, count: Int) {
            var value = 0
            var count = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                // Fractions beyond microseconds do not matter; stop accumulating to avoid overflow.
                if count < 9 {
                    value = value * 10 + Int(bytes[index] - 48)
                    count += 1
                }
                index += 1
            }
            return (value, count)
        }

        mutating func skip(_ character: Character) -> Bool {
            guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
            index += 1
            return true
        }
    }
}
