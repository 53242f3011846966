import CoreSupport
import Synchronization

/// Requests per second per API key, as token buckets: each key may spend up to `rate` tokens at
/// once (one second's worth of burst) and regains `rate` tokens a second. One lock for all keys; a
/// bucket is a few words and key names are bounded by the keys file.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: UInt64
    }

    let rate: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    private let now: @Sendable () -> UInt64

    init(ratePerSecond: Int, now: @escaping @Sendable () -> UInt64 = MonotonicClock.now) {
        rate = Double(ratePerSecond)
        self.now = now
    }

    /// nil when `key` may go ahead (a token is spent); else the whole seconds until it may retry.
    func retryAfter(for key: String) -> Int? {
        let time = now()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: rate, updated: time)
            let elapsed = Double(time &- bucket.updated) / 1_000_000_000
            bucket.tokens = min(rate, bucket.tokens + elapsed * rate)
            bucket.updated = time
            defer { buckets[key] = bucket }
            guard bucket.tokens < 1 else {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
