import CRdKafka
import CoreSupport
import Synchronization

/// Commits a consumer's stored offsets and waits a bounded time for the coordinator's answer.
///
/// librdkafka's synchronous commit (`rd_kafka_commit(handle, nil, 0)`) has no timeout: called in
/// the revocation callback of `rd_kafka_consumer_close` with no broker answering, it waited forever
/// and shutdown hung. Here the commit gets a reply queue of its own
/// (`rd_kafka_commit_queue` returns at once) and only the wait for the reply is bounded: by
/// `timeout`, and once the worker is stopping by half of what is left of its close bound, so that
/// leaving the group and destroying the handle keep the other half. A commit still unanswered at
/// the bound may yet succeed; either way the next owner starts at or before the first record not
/// applied here (at least once).
final class OffsetCommitter: Sendable {
    enum Outcome: Equatable {
        case committed
        case nothingToCommit
        case failed(KafkaError)
        case timedOut(Duration)
    }

    private let timeout: Duration
    /// MonotonicClock nanoseconds by which the worker's close must be done; 0 while not stopping.
    private let closeDeadline = Atomic<UInt64>(0)
    private let closeBarrier: ConsumerCloseBarrier?
    private let arrivedAtBarrier = Atomic(false)

    init(timeout: Duration, closeBarrier: ConsumerCloseBarrier? = nil) {
        self.timeout = timeout
        self.closeBarrier = closeBarrier
    }

    var isStopping: Bool { closeDeadline.load(ordering: .acquiring) != 0 }

    /// This consumer has committed for the last time (or had nothing to commit): it tells the
    /// barrier, once.
    func arriveAtCloseBarrier() {
        guard let closeBarrier, !arrivedAtBarrier.exchange(true, ordering: .acquiringAndReleasing) else { return }
        closeBarrier.arrive()
    }

    /// After this consumer's last commit: arrives, then waits (within the current bound) for the
    /// other consumers of the barrier, so that none leaves the group while another still commits.
    func leaveAfterTheOthers() {
        guard let closeBarrier else { return }
        arriveAtCloseBarrier()
        closeBarrier.wait(until: MonotonicClock.now() + currentBound.clampedNanoseconds)
    }

    /// The worker is stopping and must be closed by `deadline` (MonotonicClock nanoseconds).
    func stopping(by deadline: UInt64) {
        closeDeadline.store(deadline, ordering: .releasing)
    }

    /// Commits the offsets stored so far; blocks for at most the current bound.
    func commitStored(_ handle: OpaquePointer) -> Outcome {
        let bound = currentBound
        guard let queue = rd_kafka_queue_new(handle) else { return .failed(KafkaError(RD_KAFKA_RESP_ERR__FAIL)) }
        // Destroying the queue with the reply still due is safe: librdkafka drops replies to a
        // destroyed queue.
        defer { rd_kafka_queue_destroy(queue) }
        let err = rd_kafka_commit_queue(handle, nil, queue, nil, nil)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return Self.outcome(err) }
        guard let event = rd_kafka_queue_poll(queue, bound.clampedMilliseconds) else { return .timedOut(bound) }
        defer { rd_kafka_event_destroy(event) }
        return Self.outcome(rd_kafka_event_error(event))
    }

    private var currentBound: Duration {
        let deadline = closeDeadline.load(ordering: .acquiring)
        guard deadline != 0 else { return timeout }
        let now = MonotonicClock.now()
        let half = deadline > now ? (deadline - now) / 2 : 0
        return min(timeout, .nanoseconds(Int64(clamping: half)))
    }

    private static func outcome(_ err: rd_kafka_resp_err_t) -> Outcome {
        switch err {
        case RD_KAFKA_RESP_ERR_NO_ERROR: .committed
        case RD_KAFKA_RESP_ERR__NO_OFFSET: .nothingToCommit
        default: .failed(KafkaError(err))
        }
    }
}
