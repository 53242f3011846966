import Foundation
import Histogram

/// The end-of-run report: what was sent, what the gateway said, how fast and how late.
/// Rendered as text for people, or as JSON (`--json`) for scripts.
struct Summary: Encodable, Sendable {
    struct Percentiles: Encodable, Sendable {
        let p50: Double
        let p90: Double
        let p99: Double
        let p999: Double
        let max: Double
        let mean: Double
        let count: UInt64

        enum CodingKeys: String, CodingKey {
            case p50, p90, p99
            case p999 = "p99_9"
            case max, mean, count
        }

        /// From a histogram of microseconds, in milliseconds.
        init(_ histogram: Histogram<UInt64>) {
            func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
            p50 = ms(histogram.valueAtPercentile(50))
            p90 = ms(histogram.valueAtPercentile(90))
            p99 = ms(histogram.valueAtPercentile(99))
            p999 = ms(histogram.valueAtPercentile(99.9))
            max = ms(histogram.max)
            mean = histogram.mean / 1000
            count = histogram.totalCount
        }
    }

    let url: String
    let seed: UInt64
    let concurrency: Int
    let batchSize: Int?
    let targetRate: Double
    let durationSeconds: Double
    let requestsSent: Int
    let requestsCompleted: Int
    let transactionsSent: Int
    let accepted: Int
    let rejected: Int
    let errors: Int
    /// Answered transactions (accepted + rejected + errors) per second of the run.
    let achievedRate: Double
    let requestRate: Double
    let latencyMs: Percentiles
    let latencyFromScheduleMs: Percentiles?
    let statusCounts: [String: Int]
    let itemStatusCounts: [String: Int]?
    let errorMessages: [String: Int]
    let problemSamples: [String: String]
    let lateSends: Int
    let lateThresholdMs: Double
    let maxLagMs: Double
    let unsentRequests: Int
    let stopReason: String?
    let fraudPatterns: [String: Int]
    let incompleteFraudPatterns: Int

    enum CodingKeys: String, CodingKey {
        case url, seed, concurrency
        case batchSize = "batch_size"
        case targetRate = "target_rate"
        case durationSeconds = "duration_s"
        case requestsSent = "requests_sent"
        case requestsCompleted = "requests_completed"
        case transactionsSent = "transactions_sent"
        case accepted, rejected, errors
        case achievedRate = "achieved_rate"
        case requestRate = "request_rate"
        case latencyMs = "latency_ms"
        case latencyFromScheduleMs = "latency_from_schedule_ms"
        case statusCounts = "status_counts"
        case itemStatusCounts = "item_status_counts"
        case errorMessages = "error_messages"
        case problemSamples = "problem_samples"
        case lateSends = "late_sends"
        case lateThresholdMs = "late_threshold_ms"
        case maxLagMs = "max_lag_ms"
        case unsentRequests = "unsent_requests"
        case stopReason = "stop_reason"
        case fraudPatterns = "fraud_patterns"
        case incompleteFraudPatterns = "incomplete_fraud_patterns"
    }

    init(statistics s: LoadStatistics, configuration: LoadConfiguration, seed: UInt64, report: ExpectReport) {
        url = configuration.url
        self.seed = seed
        concurrency = configuration.concurrency
        batchSize = configuration.batchSize
        targetRate = configuration.ratePerSecond
        durationSeconds = s.elapsedSeconds
        requestsSent = s.requestsSent
        requestsCompleted = s.requestsCompleted
        transactionsSent = s.transactionsSent
        accepted = s.accepted
        rejected = s.rejected
        errors = s.errors
        let seconds = s.elapsedSeconds
        achievedRate = seconds > 0 ? Double(s.accepted + s.rejected + s.errors) / seconds : 0
        requestRate = seconds > 0 ? Double(s.requestsCompleted) / seconds : 0
        latencyMs = Percentiles(s.latency)
        latencyFromScheduleMs = configuration.ratePerSecond > 0 ? Percentiles(s.latencyFromSchedule) : nil
        statusCounts = Dictionary(uniqueKeysWithValues: s.statusCounts.map { (String($0.key), $0.value) })
        itemStatusCounts = configuration.batchSize == nil ? nil : s.itemStatusCounts
        errorMessages = s.errorMessages
        problemSamples = Dictionary(uniqueKeysWithValues: s.problemSamples.map { (String($0.key), $0.value) })
        lateSends = s.lateSends
        lateThresholdMs = Double(configuration.lateThresholdNanos) / 1e6
        maxLagMs = Double(s.maxLagNanos) / 1e6
        unsentRequests = s.unsentRequests
        stopReason = s.stopReason
        fraudPatterns = Dictionary(uniqueKeysWithValues: report.countsByRule.map { ($0.key.rawValue, $0.value) })
        incompleteFraudPatterns = report.incompleteCount
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var text: String {
        var lines: [String] = []
        let target = targetRate > 0 ? "\(Summary.fixed(targetRate, 0))/s" : "max"
        lines.append(
            "txgen: \(url)  concurrency \(concurrency)  "
                + (batchSize.map { "batch \($0)  " } ?? "") + "target \(target)  seed \(seed)"
        )
        lines.append("duration   \(Summary.fixed(durationSeconds, 2)) s" + (stopReason.map { " (\($0))" } ?? ""))
        lines.append("sent       \(transactionsSent) transactions in \(requestsSent) requests")
        lines.append("accepted   \(accepted)")
        lines.append("rejected   \(rejected)")
        lines.append("errors     \(errors)")
        lines.append(
            "rate       \(Summary.fixed(achievedRate, 0)) tx/s answered, \(Summary.fixed(requestRate, 0)) req/s"
        )
        lines.append(
            "late sends \(lateSends) (> \(Summary.fixed(lateThresholdMs, 0)) ms behind schedule), max lag "
                + "\(Summary.fixed(maxLagMs, 1)) ms"
                + (unsentRequests > 0 ? ", \(unsentRequests) requests never sent" : "")
        )
        lines.append("latency ms " + Summary.describe(latencyMs))
        if let latencyFromScheduleMs {
            lines.append("from sched " + Summary.describe(latencyFromScheduleMs))
        }
        if !statusCounts.isEmpty {
            lines.append(
                "HTTP status "
                    + statusCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "  ")
            )
        }
        if let itemStatusCounts, !itemStatusCounts.isEmpty {
            lines.append(
                "batch items "
                    + itemStatusCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
                        separator: "  "
                    )
            )
        }
        for (message, count) in errorMessages.sorted(by: { $0.value > $1.value }) {
            lines.append("error      \(count)x \(message)")
        }
        for (status, body) in problemSamples.sorted(by: { $0.key < $1.key }) {
            lines.append("answer \(status) e.g. \(body)")
        }
        if !fraudPatterns.isEmpty {
            lines.append(
                "injected   "
                    + fraudPatterns.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "  ")
                    + (incompleteFraudPatterns > 0
                        ? "  (+\(incompleteFraudPatterns) cut off by the end of the run)" : "")
            )
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ p: Percentiles) -> String {
        "p50 \(fixed(p.p50, 3))  p90 \(fixed(p.p90, 3))  p99 \(fixed(p.p99, 3))  p99.9 \(fixed(p.p999, 3))  max \(fixed(p.max, 3))"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
