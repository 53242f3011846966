import Foundation

/// Time arithmetic of the monitor, in whole milliseconds since 1970.
///
/// Integer milliseconds make bucket numbers and window boundaries exact (no `Double` rounding
/// at the edge of a window) and match the millisecond precision of the wire format (`RFC3339`).
enum MonitorClock {
    /// Rounds to the nearest millisecond: a time parsed from "…:00.123Z" is 0.12299999… s as a
    /// `Double`, and must land in millisecond 123, not 122.
    static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms.isFinite else { return ms > 0 ? .max : .min }
        return Int64(exactly: ms) ?? (ms > 0 ? .max : .min)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return ms + attoseconds / 1_000_000_000_000_000
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Floor division: bucket numbers must keep counting down across 1970 (`/` truncates toward 0).
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// A short human label for a window length: 60 s -> "1m", 900 s -> "15m", 3600 s -> "1h".
    static func label(milliseconds ms: Int64) -> String {
        for (unit, suffix) in [(Int64(86_400_000), "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s")]
        where ms >= unit && ms % unit == 0 {
            return "\(ms / unit)\(suffix)"
        }
        return "\(ms)ms"
    }

    /// Milliseconds as seconds for messages: "60", "0.5".
    static func secondsText(_ ms: Int64) -> String {
        ms % 1000 == 0 ? String(ms / 1000) : String(Double(ms) / 1000)
    }
}
