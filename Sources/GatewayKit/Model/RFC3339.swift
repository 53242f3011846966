import CoreSupport
import Foundation

/// RFC 3339 date-times (section 5.6): parse with or without fractional seconds, any offset;
/// format in UTC with milliseconds.
package enum RFC3339 {
    package static func parse(_ text: String) -> Date? {
        // The common forms digit by digit (every POST has one; Foundation's two tries cost about
        // 5,000 instructions when the first fails): same Date, or nil and Foundation decides.
        if let date = text.utf8.withContiguousStorageIfAvailable(parseCanonical) ?? nil { return date }
        return foundationParse(text)
    }

    /// The parser `parseCanonical` stands in for: the reference for its tests, and every other form.
    package static func foundationParse(_ text: String) -> Date? {
        // ISO8601FormatStyle is a value type and thread-safe, unlike ISO8601DateFormatter instances.
        if let date = try? Date(text, strategy: withFraction) { return date }
        return try? Date(text, strategy: withoutFraction)
    }

    /// `parse` for exactly the form `format` writes (`2026-11-25T16:20:00.123Z`) and the same without
    /// fraction (`2026-11-25T16:20:00Z`), digit by digit: the monitor reads two per record, a POST one,
    /// and Foundation's parser costs microseconds a call. Nil for any other text, and for dates within
    /// about a year of 2001-01-01 (where Foundation's arithmetic rounds the last bit differently) or
    /// outside 1970-2999: the caller then asks Foundation, so the result is always the Date it gives.
    static func parseCanonical(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        let hasFraction = text.count == UTCTime.length
        guard hasFraction || text.count == UTCTime.wholeSecondsLength,
            text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            text[10] == UInt8(ascii: "T"), text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"),
            hasFraction ? text[19] == UInt8(ascii: ".") : true, text[text.count - 1] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ start: Int, _ digits: Int) -> Int? {
            var value = 0
            for offset in start..<start + digits {
                let digit = Int(text[offset]) - Int(UInt8(ascii: "0"))
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), (1970...2999).contains(year),
            let month = number(5, 2), (1...12).contains(month),
            let day = number(8, 2), (1...31).contains(day),
            let hour = number(11, 2), hour < 24, let minute = number(14, 2), minute < 60,
            let second = number(17, 2), second < 60, let millisecond = hasFraction ? number(20, 3) : 0
        else { return nil }
        let date = CivilDate(year: year, month: month, day: day)
        let days = date.daysSinceEpoch
        guard CivilDate(daysSinceEpoch: days) == date else { return nil }  // April 31, February 30
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - UTCTime.unixOffset
        guard abs(seconds) >= 1 << 25 else { return nil }
        return Date(timeIntervalSinceReferenceDate: Double(seconds) + Double(millisecond) / 1_000)
    }

    /// `2026-11-25T16:20:00.123Z`. Written digit by digit (every record has two of these), with the
    /// exact output of the ISO8601FormatStyle it replaces; that style is still used outside 1970-9999.
    package static func format(_ date: Date) -> String {
        guard let time = UTCTime(date) else { return foundationFormat(date) }
        return String(unsafeUninitializedCapacity: UTCTime.length) { time.write(to: $0) }
    }

    /// Appends `format(date)` as UTF-8, without the intermediate String (record encoding).
    static func append(_ date: Date, to bytes: inout [UInt8]) {
        guard let time = UTCTime(date) else { return bytes.append(contentsOf: foundationFormat(date).utf8) }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: UTCTime.length))
        bytes.withUnsafeMutableBufferPointer { _ = time.write(to: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }

    /// The formatter `format` replaces: the reference for its tests, and the path for other years.
    package static func foundationFormat(_ date: Date) -> String { date.formatted(withFraction) }

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)
}

extension RFC3339 {
    /// A date's UTC calendar fields, computed as swift-foundation's Gregorian calendar does:
    /// whole seconds are `floor` of the time interval, nanoseconds `Int((t - floor(t)) * 1e9)`
    /// (truncated), milliseconds the nanoseconds truncated. So a Date made from …00.123 may print
    /// .122 (the Double holds .12299990…), exactly as before.
    struct UTCTime {
        static let length = 24  // yyyy-MM-ddTHH:mm:ss.SSSZ
        static let wholeSecondsLength = 20  // yyyy-MM-ddTHH:mm:ssZ, read but never written
        /// 1970-01-01 and 10000-01-01 as seconds since 2001: four-digit years, no Julian calendar.
        static let fastRange = -978_307_200.0..<252_423_993_600.0
        static let unixOffset = 978_307_200

        let year, month, day, hour, minute, second, millisecond: Int

        init?(_ date: Date) {
            let interval = date.timeIntervalSinceReferenceDate
            guard Self.fastRange.contains(interval) else { return nil }  // also false for NaN
            let seconds = interval.rounded(.down)
            let nanoseconds = Int((interval - seconds) * 1_000_000_000)
            let unixSeconds = Int(seconds) + Self.unixOffset
            let date = CivilDate(daysSinceEpoch: unixSeconds / 86_400)
            (year, month, day) = (date.year, date.month, date.day)
            let secondOfDay = unixSeconds % 86_400
            hour = secondOfDay / 3_600
            minute = secondOfDay % 3_600 / 60
            second = secondOfDay % 60
            millisecond = nanoseconds / 1_000_000
        }

        /// Writes the 24 bytes; returns how many were written.
        func write(to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
            var offset = 0
            func put(_ value: Int, digits: Int, then separator: UInt8) {
                var rest = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                buffer[offset + digits] = separator
                offset += digits + 1
            }
            put(year, digits: 4, then: UInt8(ascii: "-"))
            put(month, digits: 2, then: UInt8(ascii: "-"))
            put(day, digits: 2, then: UInt8(ascii: "T"))
            put(hour, digits: 2, then: UInt8(ascii: ":"))
            put(minute, digits: 2, then: UInt8(ascii: ":"))
            put(second, digits: 2, then: UInt8(ascii: "."))
            put(millisecond, digits: 3, then: UInt8(ascii: "Z"))
            return offset
        }
    }
}
