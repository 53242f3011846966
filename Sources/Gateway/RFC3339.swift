import Foundation

/// RFC 3339 date-times (section 5.6): parse with or without fractional seconds, any offset;
/// format in UTC with milliseconds.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        // ISO8601FormatStyle is a value type and thread-safe, unlike ISO8601DateFormatter instances.
        if let date = try? Date(text, strategy: withFraction) { return date }
        return try? Date(text, strategy: withoutFraction)
    }

    static func format(_ date: Date) -> String { date.formatted(withFraction) }

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)
}
