import CRdKafka
import CoreSupport
import Logging
import Synchronization

/// The recent delivery outcomes of one producer slot of the pool (kept across replacements of its
/// producer): what `/readyz` judges, what the sustained-failure log lines count, and what detects
/// a producer stuck in a producer-id loop.
///
/// Cost on the hot path: one atomic add per enqueue (plus a clock read when the slot was idle),
/// and on the delivery-report thread a clock read and two or three atomic stores per success. The
/// failure side takes a `Mutex`, touched by that one delivery-report thread and by snapshots, so
/// it is uncontended; failures are the exception.
final class DeliveryHealth: Sendable {
    /// When a failure streak is logged, and when its lines turn from warning to error.
    struct LogPolicy: Sendable {
        var interval: Duration
        var escalateAfter: Duration
    }

    private let pending = Atomic<Int>(0)
    /// Monotonic ns of the last delivery report, or of the enqueue that ended an idle spell.
    private let lastProgress = Atomic<UInt64>(0)
    private let lastSuccess = Atomic<UInt64>(0)
    /// Set while a failure streak is open: lets the success path skip the lock.
    private let failing = Atomic<Bool>(false)
    private let streak = Mutex(FailureStreak())
    private let logPolicy: LogPolicy
    private let producerStateErrorBound: Int
    private let stuckAfter: UInt64
    private let logger: Logger

    /// What a failed delivery says about the producer itself.
    enum Suspicion: Equatable {
        case none
        /// A producer-id loop past the bound: replace the producer.
        case producerStateLoop
        /// Every delivery failed for `stuckAfter` (signalled again each `stuckAfter` while it lasts):
        /// replace the producer if the brokers answer (then the producer, not the cluster, is stuck).
        case failingThroughout
    }

    init(logPolicy: LogPolicy, producerStateErrorBound: Int, stuckAfter: Duration, logger: Logger) {
        self.logPolicy = logPolicy
        self.producerStateErrorBound = producerStateErrorBound
        self.stuckAfter = stuckAfter.clampedNanoseconds
        self.logger = logger
    }

    /// A record was handed to librdkafka (called before the enqueue, undone by `refused`).
    @inline(__always)
    func enqueued() {
        if pending.wrappingAdd(1, ordering: .relaxed).oldValue <= 0 {
            lastProgress.store(MonotonicClock.now(), ordering: .relaxed)
        }
    }

    /// librdkafka refused the record synchronously: it will get no delivery report.
    func refused() {
        pending.wrappingSubtract(1, ordering: .relaxed)
    }

    /// A delivery report with the broker's acknowledgement.
    func delivered() {
        let now = MonotonicClock.now()
        pending.wrappingSubtract(1, ordering: .relaxed)
        lastProgress.store(now, ordering: .relaxed)
        lastSuccess.store(now, ordering: .relaxed)
        guard failing.load(ordering: .relaxed) else { return }
        let ended = streak.withLock { streak in
            defer { streak = FailureStreak(nextLogAt: streak.nextLogAt) }
            failing.store(false, ordering: .relaxed)
            return streak
        }
        if ended.logged {
            logger.notice(
                "Kafka deliveries succeed again",
                metadata: [
                    "failures": "\(ended.count)", "failing_for": "\(Self.seconds(now - ended.start))",
                ]
            )
        }
    }

    /// A delivery report with an error; returns what it suggests about the producer. A producer-id
    /// loop shows as UNKNOWN_PRODUCER_ID / OUT_OF_ORDER_SEQUENCE_NUMBER reports one after another,
    /// or (librdkafka 2.0.2 retries those internally) as nothing but `_MSG_TIMED_OUT` while the
    /// brokers answer: only a fresh producer gets out of it.
    func failed(_ error: KafkaError) -> Suspicion {
        let now = MonotonicClock.now()
        pending.wrappingSubtract(1, ordering: .relaxed)
        lastProgress.store(now, ordering: .relaxed)
        guard !Self.isRecordError(error.code) else { return .none }
        let (line, suspicion) = streak.withLock { streak -> (FailureStreak.LogLine?, Suspicion) in
            failing.store(true, ordering: .relaxed)
            streak.record(error, at: now, stuckAfter: stuckAfter)
            var suspicion = Suspicion.none
            if streak.producerStateErrors >= producerStateErrorBound {
                streak.producerStateErrors = 0
                suspicion = .producerStateLoop
            } else if now >= streak.nextStuckSignal {
                streak.nextStuckSignal = now &+ stuckAfter
                suspicion = .failingThroughout
            }
            return (streak.takeLogLine(at: now, policy: logPolicy), suspicion)
        }
        if let line { log(line, now: now) }
        return suspicion
    }

    /// What `/readyz` needs, read now.
    func snapshot() -> DeliveryHealthSnapshot {
        let now = MonotonicClock.now()
        let pending = max(0, pending.load(ordering: .relaxed))
        let progress = lastProgress.load(ordering: .relaxed)
        let success = lastSuccess.load(ordering: .relaxed)
        let streak = streak.withLock { $0 }
        return DeliveryHealthSnapshot(
            consecutiveFailures: streak.count,
            failingFor: streak.count > 0 ? .nanoseconds(Int64(clamping: now &- streak.start)) : nil,
            lastFailureAgo: streak.count > 0 ? .nanoseconds(Int64(clamping: now &- streak.last)) : nil,
            lastError: streak.count > 0 ? streak.lastError : nil,
            lastSuccessAgo: success == 0 ? nil : .nanoseconds(Int64(clamping: now &- success)),
            pending: pending,
            waitingFor: pending > 0 && progress > 0 ? .nanoseconds(Int64(clamping: now &- progress)) : nil
        )
    }

    private func log(_ line: FailureStreak.LogLine, now: UInt64) {
        let counts = line.counts.sorted { $0.key < $1.key }.map { "\($0.key) x \($0.value)" }.joined(separator: ", ")
        let metadata: Logger.Metadata = [
            "errors": .string(counts), "consecutive_failures": "\(line.consecutive)",
            "failing_for": "\(Self.seconds(line.failingFor))", "last_error": .string(line.lastError),
        ]
        if line.escalated {
            logger.error("Kafka deliveries keep failing", metadata: metadata)
        } else {
            logger.warning("Kafka deliveries failing", metadata: metadata)
        }
    }

    /// Errors about one record (its size, its content), not about the producer or the brokers:
    /// they neither open nor close a streak.
    private static func isRecordError(_ code: Int32) -> Bool {
        switch rd_kafka_resp_err_t(rawValue: code) {
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
            RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE, RD_KAFKA_RESP_ERR_INVALID_MSG:
            return true
        default:
            return false
        }
    }

    private static func seconds(_ nanoseconds: UInt64) -> String {
        String(format1: Double(nanoseconds) / 1e9) + " s"
    }
}

/// The failures since the last success, and what the rate-limited log has not said yet.
private struct FailureStreak {
    struct LogLine {
        var counts: [String: Int]
        var consecutive: Int
        var failingFor: UInt64
        var lastError: String
        var escalated: Bool
    }

    var count = 0
    var start: UInt64 = 0
    var last: UInt64 = 0
    var lastError = ""
    /// Consecutive errors about the producer's idempotence state (a producer-id loop).
    var producerStateErrors = 0
    /// Failures by error name since the last log line.
    var unlogged: [String: Int] = [:]
    var logged = false
    /// Survives the streak, so a flapping producer still gets one line per interval.
    var nextLogAt: UInt64 = 0

    init(nextLogAt: UInt64 = 0) {
        self.nextLogAt = nextLogAt
    }

    /// When the streak, still open, next suggests the producer is stuck.
    var nextStuckSignal: UInt64 = .max

    mutating func record(_ error: KafkaError, at now: UInt64, stuckAfter: UInt64) {
        if count == 0 {
            start = now
            nextStuckSignal = now &+ stuckAfter
        }
        count += 1
        last = now
        lastError = error.name
        unlogged[error.name, default: 0] += 1
        producerStateErrors = Self.isProducerStateError(error.code) ? producerStateErrors + 1 : 0
    }

    /// The line due now (the first failure of a streak, then one per interval), or nil.
    mutating func takeLogLine(at now: UInt64, policy: DeliveryHealth.LogPolicy) -> LogLine? {
        guard now >= nextLogAt else { return nil }
        nextLogAt = now &+ policy.interval.clampedNanoseconds
        logged = true
        defer { unlogged = [:] }
        let failingFor = now &- start
        return LogLine(
            counts: unlogged,
            consecutive: count,
            failingFor: failingFor,
            lastError: lastError,
            escalated: failingFor >= policy.escalateAfter.clampedNanoseconds
        )
    }

    private static func isProducerStateError(_ code: Int32) -> Bool {
        switch rd_kafka_resp_err_t(rawValue: code) {
        case RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
            RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, RD_KAFKA_RESP_ERR__INCONSISTENT:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// One decimal place, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
