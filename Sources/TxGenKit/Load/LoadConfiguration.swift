/// How to drive the gateway.
struct LoadConfiguration: Sendable {
    var url = "http://127.0.0.1:8080/transactions"
    var concurrency = 16
    /// Sent as `X-Client-Name` with every request, if set.
    var clientName: String?
    /// Transactions per NDJSON batch request; nil sends one JSON transaction per request.
    var batchSize: Int?
    /// Target transactions per second; 0 sends as fast as the connections allow.
    var ratePerSecond: Double = 1000
    /// Stop sending after this long (nil: when the stream ends).
    var durationNanos: UInt64?
    var timeoutMillis = 10_000
    var connectTimeoutMillis = 3_000
    var progressIntervalNanos: UInt64 = 1_000_000_000
    /// A send this far behind its schedule counts as late.
    var lateThresholdNanos: UInt64 = 5_000_000
    /// With not a single HTTP answer yet, stop after this many failed requests (0: never):
    /// the gateway is down or the URL wrong, and hammering it proves nothing more.
    var giveUpAfterErrors = 200
}
