import Histogram

/// Counters and latency histograms of a load run. Transactions and requests are counted apart:
/// with `--batch K` one request carries K transactions.
struct LoadStatistics: Sendable {
    var requestsSent = 0
    var requestsCompleted = 0
    var transactionsSent = 0
    /// Transactions the gateway answered "accepted" (202, or an accepted item of a batch).
    var accepted = 0
    /// Transactions the gateway answered with an error status.
    var rejected = 0
    /// Transactions whose request got no HTTP answer (connect failure, timeout, reset...).
    var errors = 0
    /// HTTP status of every answered request.
    var statusCounts: [Int: Int] = [:]
    /// Per-item outcomes inside batch answers: "accepted" or the item's problem status.
    var itemStatusCounts: [String: Int] = [:]
    /// Transport errors by curl's message (at most `maxDistinctMessages` kept apart).
    var errorMessages: [String: Int] = [:]
    /// The first body seen for each error status, to say why the gateway refused.
    var problemSamples: [Int: String] = [:]
    /// Sends that started more than `lateThresholdNanos` after their scheduled time.
    var lateSends = 0
    var maxLagNanos: UInt64 = 0
    /// Requests whose send time had come when the run ended but that never went out.
    var unsentRequests = 0
    /// Request latency in microseconds, from send to complete answer.
    var latency = Histogram<UInt64>(
        lowestDiscernibleValue: 1,
        highestTrackableValue: 3_600_000_000,
        numberOfSignificantValueDigits: .three
    )
    /// Latency from the scheduled (not actual) send time: includes time spent waiting for a free
    /// connection, so it does not hide a saturated gateway (rate-limited runs only).
    var latencyFromSchedule = Histogram<UInt64>(
        lowestDiscernibleValue: 1,
        highestTrackableValue: 3_600_000_000,
        numberOfSignificantValueDigits: .three
    )
    var startNanos: UInt64 = 0
    var endNanos: UInt64 = 0
    /// Why sending stopped early, if it did.
    var stopReason: String?

    static let maxDistinctMessages = 20

    var httpAnswers: Int { statusCounts.values.reduce(0, +) }
    var elapsedSeconds: Double { endNanos > startNanos ? Double(endNanos - startNanos) / 1e9 : 0 }

    mutating func recordTransportError(_ message: String, transactions: Int) {
        errors += transactions
        if errorMessages[message] != nil || errorMessages.count < Self.maxDistinctMessages {
            errorMessages[message, default: 0] += 1
        } else {
            errorMessages["(other errors)", default: 0] += 1
        }
    }
}
