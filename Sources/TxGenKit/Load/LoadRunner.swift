import CoreSupport
import Foundation

/// The open-loop load engine: one thread (the caller's) runs a loop over libcurl's multi
/// interface, generating each request's transactions just in time and starting it at its
/// scheduled time (or at once with `--rate 0`), never one Swift Task per request.
///
/// Open loop means the schedule does not wait for answers: when every connection is busy at a
/// send's scheduled time, the send goes out late and is counted as late (and its latency from
/// schedule includes the wait), rather than the schedule quietly slipping.
final class LoadRunner {
    let configuration: LoadConfiguration
    private(set) var stream: TransactionStream
    private(set) var statistics = LoadStatistics()
    private let client: CurlMultiClient
    /// Per slot: pattern index of each transaction in the request (-1 for normal traffic).
    private var slotPatterns: [[Int32]]
    private var slotScheduled: [UInt64]
    private var body: [UInt8] = []
    private var streamEnded = false

    init(configuration: LoadConfiguration, stream: TransactionStream) throws {
        self.configuration = configuration
        self.stream = stream
        let batch = configuration.batchSize != nil
        client = try CurlMultiClient(
            url: configuration.url,
            contentType: batch ? "application/x-ndjson" : "application/json",
            clientName: configuration.clientName,
            concurrency: configuration.concurrency,
            timeoutMillis: configuration.timeoutMillis,
            connectTimeoutMillis: configuration.connectTimeoutMillis,
            responseLimit: batch ? 8 << 20 : 16 << 10
        )
        slotPatterns = Array(repeating: [], count: configuration.concurrency)
        slotScheduled = Array(repeating: 0, count: configuration.concurrency)
    }

    /// Runs until the stream ends, the duration is up, or `shouldStop` says so; then waits for
    /// the requests in flight (each bounded by the request timeout).
    func run(shouldStop: () -> Bool, progress: (ProgressSnapshot) -> Void) -> LoadStatistics {
        let itemsPerRequest = configuration.batchSize ?? 1
        let start = MonotonicClock.now()
        statistics.startNanos = start
        let interval: Double? =
            configuration.ratePerSecond > 0
            ? Double(itemsPerRequest) / configuration.ratePerSecond * 1e9 : nil
        let deadline = configuration.durationNanos.map { start + $0 }
        var nextRequest = 0
        var sending = true
        var nextProgress = start + configuration.progressIntervalNanos
        var lastProgressAnswered = 0
        var lastProgressTime = start

        while true {
            var freed = drainCompletions()
            var now = MonotonicClock.now()
            if sending, let reason = stopReason(now: now, deadline: deadline, shouldStop: shouldStop) {
                if let interval, let deadline, reason == .durationReached {
                    // Sends due just before the end that the last wait overslept: out they go
                    // while connections are free (they count as late if they are).
                    while client.hasFreeSlot, !streamEnded {
                        let scheduled = start + UInt64(Double(nextRequest) * interval)
                        guard scheduled < deadline, send(scheduled: scheduled, now: now, items: itemsPerRequest) else {
                            break
                        }
                        nextRequest += 1
                    }
                }
                sending = false
                statistics.stopReason = reason.description
                if let interval {
                    // Requests whose time had come (before the deadline, or by the interruption)
                    // but that never went out because every connection was busy.
                    let end = reason == .durationReached ? deadline ?? now : now
                    var due = Int((Double(end - start) / interval).rounded(.up))
                    if let remaining = stream.remaining {
                        due = min(due, nextRequest + (remaining + itemsPerRequest - 1) / itemsPerRequest)
                    }
                    statistics.unsentRequests = max(0, due - nextRequest)
                }
            }
            while sending && client.hasFreeSlot {
                let scheduled = interval.map { start + UInt64(Double(nextRequest) * $0) } ?? now
                if scheduled > now { break }
                guard !streamEnded, send(scheduled: scheduled, now: now, items: itemsPerRequest) else { break }
                nextRequest += 1
            }
            if sending && streamEnded {
                sending = false
                statistics.stopReason = StopReason.countReached.description
            }
            // Start what was just submitted; some requests end right here (refused connections).
            client.perform()
            freed += drainCompletions()
            if !sending && client.inFlight == 0 { break }

            now = MonotonicClock.now()
            if now >= nextProgress {
                let answered = statistics.accepted + statistics.rejected + statistics.errors
                let seconds = Double(now - lastProgressTime) / 1e9
                progress(
                    ProgressSnapshot(
                        elapsedSeconds: Double(now - start) / 1e9,
                        sent: statistics.transactionsSent,
                        accepted: statistics.accepted,
                        rejected: statistics.rejected,
                        errors: statistics.errors,
                        currentRate: seconds > 0 ? Double(answered - lastProgressAnswered) / seconds : 0,
                        inFlight: client.inFlight,
                        lateSends: statistics.lateSends
                    )
                )
                lastProgressAnswered = answered
                lastProgressTime = now
                nextProgress = now + configuration.progressIntervalNanos
            }

            // Connections just freed and work waiting: go round again at once.
            if freed > 0 && sending && client.hasFreeSlot && interval == nil { continue }
            var waitNanos = nextProgress > now ? nextProgress - now : 0
            if sending && client.hasFreeSlot, let interval {
                let scheduled = start + UInt64(Double(nextRequest) * interval)
                waitNanos = min(waitNanos, scheduled > now ? scheduled - now : 0)
            }
            if sending, let deadline { waitNanos = min(waitNanos, deadline > now ? deadline - now : 0) }
            // Whole milliseconds (poll's unit), rounded up: a send is at most ~1 ms late for it.
            client.poll(timeoutMillis: Int((waitNanos + 999_999) / 1_000_000))
            client.perform()
        }
        statistics.endNanos = MonotonicClock.now()
        return statistics
    }

    private func drainCompletions() -> Int {
        var count = 0
        let now = MonotonicClock.now()  // one clock read per batch of completions
        client.drainCompletions { completion in
            complete(completion, now: now)
            count += 1
        }
        return count
    }

    private enum StopReason: Equatable, CustomStringConvertible {
        case interrupted, durationReached, countReached
        case gaveUp(afterFailures: Int)

        var description: String {
            switch self {
            case .interrupted: "interrupted"
            case .durationReached: "duration reached"
            case .countReached: "count reached"
            case .gaveUp(let failures): "gave up: the first \(failures) requests all failed without an HTTP answer"
            }
        }
    }

    private func stopReason(now: UInt64, deadline: UInt64?, shouldStop: () -> Bool) -> StopReason? {
        if shouldStop() { return .interrupted }
        if let deadline, now >= deadline { return .durationReached }
        if streamEnded { return .countReached }
        if configuration.giveUpAfterErrors > 0, statistics.httpAnswers == 0,
            statistics.requestsCompleted >= configuration.giveUpAfterErrors
        {
            return .gaveUp(afterFailures: statistics.requestsCompleted)
        }
        return nil
    }

    /// Builds and starts one request; false when there was nothing left to send.
    private func send(scheduled: UInt64, now: UInt64, items: Int) -> Bool {
        body.removeAll(keepingCapacity: true)
        var patterns: [Int32] = []
        patterns.reserveCapacity(items)
        for _ in 0..<items {
            guard let transaction = stream.next() else { break }
            if configuration.batchSize == nil {
                transaction.appendJSON(to: &body)
            } else {
                transaction.appendNDJSONLine(to: &body)
            }
            patterns.append(Int32(transaction.pattern ?? -1))
        }
        if stream.remaining == 0 { streamEnded = true }
        guard !patterns.isEmpty, let slot = client.submit(body: body, now: now) else {
            streamEnded = true
            return false
        }
        slotPatterns[slot] = patterns
        slotScheduled[slot] = scheduled
        statistics.requestsSent += 1
        statistics.transactionsSent += patterns.count
        let lag = now > scheduled ? now - scheduled : 0
        if lag > configuration.lateThresholdNanos { statistics.lateSends += 1 }
        statistics.maxLagNanos = max(statistics.maxLagNanos, lag)
        return true
    }

    private func complete(_ completion: CurlMultiClient.Completion, now: UInt64) {
        let patterns = slotPatterns[completion.slot]
        statistics.requestsCompleted += 1
        _ = statistics.latency.record(max(1, (now - completion.startNanos) / 1000))
        if configuration.ratePerSecond > 0 {
            let scheduled = slotScheduled[completion.slot]
            _ = statistics.latencyFromSchedule.record(max(1, (now - scheduled) / 1000))
        }
        if let error = completion.transportError {
            statistics.recordTransportError(error, transactions: patterns.count)
            for pattern in patterns where pattern >= 0 { stream.recordOutcome(pattern: Int(pattern), accepted: false) }
            return
        }
        let status = completion.httpStatus
        statistics.statusCounts[status, default: 0] += 1
        if configuration.batchSize != nil && (200..<300).contains(status) {
            completeBatch(patterns: patterns, response: client.response(ofSlot: completion.slot), status: status)
            return
        }
        let accepted = (200..<300).contains(status)
        if accepted {
            statistics.accepted += patterns.count
        } else {
            statistics.rejected += patterns.count
            if statistics.problemSamples[status] == nil {
                statistics.problemSamples[status] = Self.sample(client.response(ofSlot: completion.slot))
            }
        }
        for pattern in patterns where pattern >= 0 { stream.recordOutcome(pattern: Int(pattern), accepted: accepted) }
    }

    /// A batch answer is a JSON array of per-item results in request order: `"status": "accepted"`
    /// or a problem object whose `"status"` is the item's HTTP status.
    private func completeBatch(patterns: [Int32], response: [UInt8], status: Int) {
        let items = (try? JSONSerialization.jsonObject(with: Data(response))) as? [Any]
        for (index, pattern) in patterns.enumerated() {
            let outcome: String
            if let items, index < items.count, let item = items[index] as? [String: Any] {
                if let text = item["status"] as? String {
                    outcome = text
                } else if let code = item["status"] as? Int {
                    outcome = String(code)
                    if statistics.problemSamples[code] == nil,
                        let data = try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])
                    {
                        statistics.problemSamples[code] = Self.sample(Array(data))
                    }
                } else {
                    outcome = "unrecognised item"
                }
            } else {
                outcome = items == nil ? "unparseable batch answer" : "missing item"
            }
            statistics.itemStatusCounts[outcome, default: 0] += 1
            let accepted = outcome == "accepted"
            if accepted { statistics.accepted += 1 } else { statistics.rejected += 1 }
            if pattern >= 0 { stream.recordOutcome(pattern: Int(pattern), accepted: accepted) }
        }
        if items == nil, statistics.problemSamples[status] == nil {
            statistics.problemSamples[status] = Self.sample(response)
        }
    }

    private static func sample(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(300), as: UTF8.self)
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
