import CRdKafka
import CoreSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Hands records to librdkafka in waves, so that batching follows load instead of a timer.
///
/// With nothing in flight a record is enqueued at once (with a near-zero `linger.ms` it is sent at
/// once). While a wave is in flight, new records are held here and handed over together when the
/// wave's last delivery report arrives, so they leave as one request per partition.
///
/// Why not librdkafka's own batching with a short linger: librdkafka 2.0.2's idempotent producer
/// limits a partition to `RD_KAFKA_IDEMP_MAX_INFLIGHT` (5) but counts in-flight *messages* against
/// it (`rktp_msgs_inflight`, rdkafka_broker.c `rd_kafka_toppar_producer_serve`), so once a request
/// of 5 or more records is in flight the partition may send nothing more until it is acknowledged.
/// The same function has already set the broker thread's next wake-up to the linger deadline of the
/// waiting records; once that deadline has passed the thread polls with a zero timeout until the
/// acknowledgement arrives: it spins. Holding records here keeps librdkafka's queue empty while a
/// request is in flight, so there is never an expired batch it may not send.
///
/// A wave that is slow to finish (a broker down, a leader moving) must not hold the others: records
/// held longer than `maxHold` are handed over anyway, which is the old timer-based behaviour.
///
/// `@unchecked Sendable`: the state is behind `state`'s lock; the handle is used only for
/// `rd_kafka_produceva` (thread-safe) and the main queue's yield, and is destroyed by the owning
/// producer only after the poll thread is joined and no call is in progress.
final class ProduceWaves: @unchecked Sendable {
    private struct State {
        /// Records handed to librdkafka whose delivery report has not been served yet.
        var outstanding = 0
        var held: [OutgoingRecord] = []
        /// The other half of a double buffer, so a hand-over allocates nothing.
        var spare: [OutgoingRecord] = []
        /// When the oldest held record was held (MonotonicClock nanoseconds).
        var heldSince: UInt64 = 0
        /// The poll thread is in a long poll and needs a yield to see a hold deadline.
        var pollerAsleep = false
        /// A thread is enqueueing a taken batch (outside the lock).
        var handingOver = false
    }

    private let handle: OpaquePointer
    private let mainQueue: OpaquePointer
    private let maxQueued: Int
    private let maxHold: UInt64
    private let refused: (OutgoingRecord, KafkaError) -> Void
    private let state = Mutex(State())

    /// `refused` runs (outside the lock) for a held record librdkafka refuses at hand-over: the
    /// record's completion must then report the error, as nobody is left to throw it to.
    init(
        handle: OpaquePointer,
        maxQueued: Int,
        maxHold: Duration,
        refused: @escaping (OutgoingRecord, KafkaError) -> Void
    ) {
        self.handle = handle
        self.mainQueue = rd_kafka_queue_get_main(handle)
        self.maxQueued = maxQueued
        self.maxHold = maxHold.clampedNanoseconds
        self.refused = refused
    }

    deinit {
        rd_kafka_queue_destroy(mainQueue)
    }

    /// Enqueues `record` now, or holds it behind the wave in flight. Throws librdkafka's refusal of
    /// an immediate enqueue, or `_QUEUE_FULL` when `maxQueued` records are held or unreported
    /// already (`queue.buffering.max.messages`); then the record's box is the caller's to release.
    func submit(_ record: OutgoingRecord) throws(KafkaError) {
        var wake = false
        let refusal: KafkaError? = try state.withLock { state throws(KafkaError) -> KafkaError? in
            if state.outstanding == 0 && state.held.isEmpty {
                // Under the lock (one short enqueue), so no hand-over can overtake it (per-key order).
                guard let refusal = record.enqueue(on: handle) else {
                    state.outstanding += 1
                    return nil
                }
                return KafkaError(consuming: refusal)
            }
            // Held and handed-over records together stay within librdkafka's own bound.
            guard state.held.count + state.outstanding < maxQueued else {
                throw KafkaError(RD_KAFKA_RESP_ERR__QUEUE_FULL)
            }
            if state.held.isEmpty {
                state.heldSince = MonotonicClock.now()
                wake = state.pollerAsleep
                state.pollerAsleep = false
            }
            state.held.append(record)
            return nil
        }
        if let refusal { throw refusal }
        if wake { wakePoller() }
    }

    /// One delivery report was served: when it ends the wave, the held records leave as the next.
    func reported() {
        handOver { state in
            state.outstanding -= 1
            return state.outstanding == 0
        }
    }

    /// The poll thread's timeout: until the oldest held record's deadline while records are held;
    /// long otherwise (a delivery report ends the poll, and `submit` wakes a long poll when it
    /// holds a first record).
    func pollTimeoutMilliseconds() -> Int32 {
        state.withLock { state in
            guard !state.held.isEmpty else {
                state.pollerAsleep = true
                return 100
            }
            let elapsed = MonotonicClock.now() &- state.heldSince
            guard elapsed < maxHold else { return 0 }
            return Int32(clamping: (maxHold - elapsed + 999_999) / 1_000_000)
        }
    }

    /// After each poll: held records past `maxHold` are handed over without waiting for the wave.
    func handOverOverdue() {
        handOver { state in
            state.pollerAsleep = false
            return MonotonicClock.now() &- state.heldSince >= maxHold
        }
    }

    /// Hands over everything held (at close, before the final flush), after any hand-over running.
    func handOverAll() {
        while handOver({ _ in true }) == .busy { sched_yield() }
    }

    /// Makes the poll thread's current `rd_kafka_poll` return (`rd_kafka_yield` only affects the
    /// calling thread).
    func wakePoller() {
        rd_kafka_queue_yield(mainQueue)
    }

    /// Records held, not yet given to librdkafka.
    var heldCount: Int { state.withLock { $0.held.count } }

    private enum HandOver { case done, busy }

    /// Takes the held records when `due` (run under the lock, always) says so, then enqueues them
    /// outside the lock, so event loops wait for a few counters, not for librdkafka. One hand-over
    /// at a time keeps waves in order; new records are held meanwhile (`outstanding` is above 0).
    @discardableResult
    private func handOver(_ due: (inout State) -> Bool) -> HandOver {
        var busy = false
        var batch: [OutgoingRecord] = state.withLock { state in
            guard due(&state), !state.held.isEmpty else { return [] }
            guard !state.handingOver else {
                busy = true
                return []
            }
            state.handingOver = true
            state.outstanding += state.held.count
            var batch: [OutgoingRecord] = []
            swap(&batch, &state.spare)
            swap(&batch, &state.held)
            return batch
        }
        if busy { return .busy }
        if batch.isEmpty { return .done }
        var refusals: [(OutgoingRecord, KafkaError)] = []
        for record in batch {
            if let refusal = record.enqueue(on: handle) { refusals.append((record, KafkaError(consuming: refusal))) }
        }
        batch.removeAll(keepingCapacity: true)
        let refused = refusals.count
        let again = state.withLock { state in
            state.handingOver = false
            state.outstanding -= refused
            swap(&batch, &state.spare)
            return state.outstanding == 0 && !state.held.isEmpty
        }
        for (record, error) in refusals { self.refused(record, error) }
        if again { handOver { _ in true } }
        return .done
    }
}
