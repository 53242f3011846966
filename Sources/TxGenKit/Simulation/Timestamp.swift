import CoreSupport
import Foundation

/// RFC 3339 (section 5.6) date-times for event timestamps: formatted by hand in UTC with
/// milliseconds, because the generator formats one per transaction and Foundation's formatters
/// cost microseconds each.
enum Timestamp {
    /// Appends "2026-11-25T16:20:00.000Z" for `millis` since the Unix epoch.
    static func append(millis: Int64, to out: inout [UInt8]) {
        var days = millis / 86_400_000
        var msOfDay = millis % 86_400_000
        if msOfDay < 0 {
            msOfDay += 86_400_000
            days -= 1
        }
        let date = CivilDate(daysSinceEpoch: Int(days))
        appendDigits(Int64(date.year), width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(date.month), width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(date.day), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(msOfDay / 3_600_000, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(msOfDay / 60_000 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(msOfDay / 1000 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(msOfDay % 1000, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    static func string(millis: Int64) -> String {
        var bytes: [UInt8] = []
        append(millis: millis, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses an RFC 3339 date-time (with or without fractional seconds, any offset).
    static func parse(_ text: String) -> Int64? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)
        guard let date = (try? Date(text, strategy: withFraction)) ?? (try? Date(text, strategy: withoutFraction))
        else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
