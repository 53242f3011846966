import Foundation

/// How long a failed webhook delivery waits before its next attempt.
enum RetryDelay {
    /// Exponential back-off with jitter: `initial * 2^(failures-1)`, capped at `maximum`, then drawn
    /// from the upper half of that ("equal jitter"), so that many alerts failing together do not
    /// retry together, yet no retry comes sooner than half its step.
    static func backoff<R: RandomNumberGenerator>(
        failures: Int,
        initial: Duration,
        maximum: Duration,
        using random: inout R
    ) -> Duration {
        let exponent = min(max(0, failures - 1), 40)
        let step = min(
            Double(initial.clampedNanoseconds) * pow(2, Double(exponent)),
            Double(maximum.clampedNanoseconds)
        )
        return .nanoseconds(Int64(step / 2 + Double.random(in: 0...(step / 2), using: &random)))
    }

    /// The wait a 429 or 503 asks for in `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an
    /// HTTP-date; nil when absent or unreadable. Capped at `maximum`, so a receiver cannot park
    /// an alert beyond the configured back-off.
    static func retryAfter(_ value: String?, now: Date, maximum: Duration) -> Duration? {
        guard let value, !value.isEmpty else { return nil }
        let wait: Duration
        if let seconds = Int(value), seconds >= 0 {
            wait = .seconds(seconds)
        } else if let date = httpDate(value) {
            wait = .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
        } else {
            return nil
        }
        return min(wait, maximum)
    }

    /// IMF-fixdate, the form RFC 9110 §5.6.7 requires senders to use.
    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}
