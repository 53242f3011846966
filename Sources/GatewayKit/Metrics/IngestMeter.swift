import Foundation
import HTTPCore
import Histogram
import Synchronization

/// Rate and latency of `POST /transactions` per interval, for the dashboard's live figures.
///
/// The Prometheus histogram (`gateway_http_request_duration_seconds`) has fixed buckets from
/// 250 µs to 10 s: right for aggregating across instances, too coarse for a p50 of 2 ms. This
/// meter records each answer's duration in an HdrHistogram (microseconds, about 1 %) under one
/// `Mutex`, and `take` swaps the interval out, so every figure covers exactly one interval.
final class IngestMeter: Sendable {
    private struct Interval: Sendable {
        var latency = Histogram<UInt64>(
            highestTrackableValue: IngestMeter.highestMicroseconds,
            numberOfSignificantValueDigits: .two
        )
        var requests = 0
        var accepted = 0
        var refused = 0
        var failed = 0
        var started: ContinuousClock.Instant

        mutating func reset(at now: ContinuousClock.Instant) {
            latency.reset()
            requests = 0
            accepted = 0
            refused = 0
            failed = 0
            started = now
        }
    }

    private static let highestMicroseconds: UInt64 = 60_000_000
    private let current = Mutex(Interval(started: .now))

    /// One answer to `POST /transactions` (the HTTP observer, on a loop thread).
    func record(status: HTTPResponse.Status, duration: Duration) {
        // Clamped to the histogram's range: a minute is "very slow" whatever the exact figure.
        let micros = min(duration.clampedNanoseconds / 1_000, Self.highestMicroseconds)
        current.withLock { interval in
            interval.requests += 1
            switch status.kind {
            case .successful: interval.accepted += 1
            case .clientError: interval.refused += 1
            default: interval.failed += 1
            }
            _ = interval.latency.record(micros)
        }
    }

    /// The figures since the last call, and a new interval begins.
    func take(at date: Date = Date()) -> IngestSample {
        let now = ContinuousClock.now
        let interval = current.withLock { interval in
            defer { interval.reset(at: now) }
            return interval
        }
        let seconds = max(0.001, Double((now - interval.started).clampedNanoseconds) / 1e9)
        func milliseconds(_ percentile: Double) -> Double? {
            interval.requests == 0 ? nil : Double(interval.latency.valueAtPercentile(percentile)) / 1_000
        }
        return IngestSample(
            at: RFC3339.format(date),
            seconds: seconds,
            requestsPerSecond: Double(interval.requests) / seconds,
            acceptedPerSecond: Double(interval.accepted) / seconds,
            refusedPerSecond: Double(interval.refused) / seconds,
            failedPerSecond: Double(interval.failed) / seconds,
            p50Milliseconds: milliseconds(50),
            p90Milliseconds: milliseconds(90),
            p99Milliseconds: milliseconds(99),
            maxMilliseconds: interval.requests == 0 ? nil : Double(interval.latency.maxRecorded) / 1_000
        )
    }
}

/// One interval of `POST /transactions`: answers per second by class, latency percentiles from the
/// request parsed to the response handed to the socket (nil without requests).
struct IngestSample: Encodable, Sendable, Equatable {
    var at: String
    var seconds: Double
    var requestsPerSecond: Double
    /// 2xx answers.
    var acceptedPerSecond: Double
    /// 4xx answers (invalid transactions, auth, rate limits).
    var refusedPerSecond: Double
    /// 5xx answers (Kafka unavailable, timeouts).
    var failedPerSecond: Double
    var p50Milliseconds: Double?
    var p90Milliseconds: Double?
    var p99Milliseconds: Double?
    var maxMilliseconds: Double?

    enum CodingKeys: String, CodingKey {
        case at, seconds
        case requestsPerSecond = "requests_per_second"
        case acceptedPerSecond = "accepted_per_second"
        case refusedPerSecond = "refused_per_second"
        case failedPerSecond = "failed_per_second"
        case p50Milliseconds = "p50_ms"
        case p90Milliseconds = "p90_ms"
        case p99Milliseconds = "p99_ms"
        case maxMilliseconds = "max_ms"
    }
}
