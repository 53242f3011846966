import CRdKafka
import CoreSupport
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One librdkafka producer handle (one `rd_kafka_t`) plus the thread that drains its delivery
/// reports.
///
/// `@unchecked Sendable` because it holds the raw handle. That is safe because librdkafka
/// documents `rd_kafka_t` as thread-safe for everything called here (produce, poll, flush,
/// metadata, outq_len) except `rd_kafka_destroy`, and `destroy` is ordered after every other use:
/// each call enters through `gate` (an atomic count of calls in progress plus a "closed" bit),
/// `close` sets the bit, waits for the count to reach zero and joins the poll thread, then destroys.
/// `close` itself is serialized by the `closed` mutex.
final class KafkaProducer: @unchecked Sendable {
    let name: String
    private let handle: OpaquePointer
    private let context: ClientContext
    /// Bit 0: closed. Bits 1...: calls in progress (counted in steps of 2). One atomic RMW per
    /// call keeps produce() cheap while still letting close() know when nobody uses the handle.
    private let gate = Atomic<Int>(0)
    private let waves: ProduceWaves
    private let pollLoop: PollLoop
    private let pollThread: JoinableThread
    private let closed = Mutex(false)
    private let health: DeliveryHealth

    /// `health` records every outcome (it belongs to the pool's slot and outlives this producer);
    /// `onUnrecoverable` is called from the poll thread when this handle cannot recover. `maxQueued`
    /// (`queue.buffering.max.messages`) and `maxHold` bound the records held behind a wave in
    /// flight (see `ProduceWaves`).
    init(
        name: String,
        properties: [(String, String)],
        logger: Logger,
        health: DeliveryHealth,
        maxQueued: Int,
        maxHold: Duration,
        onUnrecoverable: @escaping @Sendable (Unrecoverable) -> Void
    ) throws(KafkaError) {
        self.name = name
        self.health = health
        let context = ClientContext(
            name: name,
            logger: logger,
            deliveryHealth: health,
            onUnrecoverable: onUnrecoverable
        )
        let conf = try KafkaHandleFactory.makeConf(properties)
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        let handle = try KafkaHandleFactory.makeHandle(type: RD_KAFKA_PRODUCER, conf: conf, context: context)
        self.handle = handle
        self.context = context
        let waves = ProduceWaves(handle: handle, maxQueued: maxQueued, maxHold: maxHold) { record, error in
            // Refused at hand-over: the caller has returned long ago, so the completion says it.
            health.refused()
            record.box.takeRetainedValue().completion(.failure(error))
        }
        self.waves = waves
        let pollLoop = PollLoop(handle: handle, waves: waves)
        self.pollLoop = pollLoop
        // Delivery reports (and error callbacks) are only served by rd_kafka_poll; this thread is
        // where every produce() completion runs.
        // pthread_create fails only when the process is out of threads or memory: nothing sensible
        // can continue then.
        pollThread = try! JoinableThread(name: "kafka-dr-\(name)") { pollLoop.run() }
    }

    deinit {
        close(flushFor: .zero, purgeWait: .milliseconds(100))
    }

    /// Enqueues one record (copied by librdkafka). On success `completion` runs exactly once from
    /// the delivery-report callback; on a thrown error it never runs.
    func produce(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader],
        completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        try withHandle { _ throws(KafkaError) in
            health.enqueued()
            // The box travels through librdkafka as the message opaque and is released by the
            // delivery-report callback: one allocation, no table, no lock.
            let box = Unmanaged.passRetained(DeliveryBox(topic: topic, waves: waves, completion: completion))
            let record = OutgoingRecord(
                topic: topic,
                partition: partition,
                key: key,
                value: value,
                headers: headers,
                box: box
            )
            do throws(KafkaError) {
                try waves.submit(record)
            } catch {
                // Refused: librdkafka kept neither the opaque nor the header list.
                health.refused()
                box.release()
                throw error
            }
        }
    }

    /// Messages not yet acknowledged, including delivery reports not yet served.
    var queueDepth: Int {
        (try? withHandle { handle in Int(rd_kafka_outq_len(handle)) + waves.heldCount }) ?? 0
    }

    /// A blocking metadata round trip: proves a broker answers, and lists the brokers it knows.
    func brokers(timeout: Duration) -> Result<[String], KafkaError> {
        do {
            return try withHandle { handle throws(KafkaError) in
                var metadata: UnsafePointer<rd_kafka_metadata>? = nil
                // all_topics=0 and no topic: the cheapest request, brokers only (plus topics this
                // client already knows).
                let err = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(timeout.clampedMilliseconds))
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(err) }
                defer { rd_kafka_metadata_destroy(metadata) }
                let brokers = UnsafeBufferPointer(
                    start: metadata.pointee.brokers,
                    count: Int(metadata.pointee.broker_cnt)
                )
                return .success(brokers.map { "\(String(cString: $0.host)):\($0.port)" })
            }
        } catch {
            return .failure(error)
        }
    }

    /// How many partitions `topic` has (a blocking metadata round trip bounded by `timeout`); nil
    /// when no broker answered or the topic does not exist.
    func partitionCount(of topic: String, timeout: Duration) -> Int? {
        try? withHandle { handle in
            guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else { return nil }
            defer { rd_kafka_topic_destroy(topicHandle) }
            var metadata: UnsafePointer<rd_kafka_metadata>? = nil
            let err = rd_kafka_metadata(handle, 0, topicHandle, &metadata, Int32(timeout.clampedMilliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { return nil }
            defer { rd_kafka_metadata_destroy(metadata) }
            guard metadata.pointee.topic_cnt == 1, metadata.pointee.topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR
            else { return nil }
            return Int(metadata.pointee.topics[0].partition_cnt)
        }
    }

    /// The cluster's id (`rd_kafka_clusterid`, a blocking metadata round trip bounded by `timeout`);
    /// nil when no broker answered or the cluster has none.
    func clusterID(timeout: Duration) -> String? {
        try? withHandle { handle in
            guard let id = rd_kafka_clusterid(handle, Int32(timeout.clampedMilliseconds)) else { return nil }
            defer { rd_kafka_mem_free(handle, id) }
            return String(cString: id)
        }
    }

    /// Flushes for up to `flushFor`, fails whatever is still queued or in flight (so every
    /// completion still runs exactly once; serving those failures waits up to `purgeWait`), stops
    /// the poll thread and destroys the handle. Returns how many records were failed that way.
    /// Idempotent (a later call returns 0). Completions may also run on the calling thread,
    /// because `rd_kafka_flush` serves delivery reports itself.
    @discardableResult
    func close(flushFor: Duration, purgeWait: Duration) -> Int {
        closed.withLock { closed -> Int in
            guard !closed else { return 0 }
            closed = true
            gate.bitwiseOr(1, ordering: .acquiringAndReleasing)
            // Calls in progress are short (an enqueue) except checkBrokers, which can block for
            // its timeout: yield first, then sleep rather than spin.
            var spins = 0
            while gate.load(ordering: .acquiring) != 1 {
                spins += 1
                if spins < 100 { sched_yield() } else { usleep(1000) }
            }
            // Nothing new can arrive (the gate is closed and no call is in progress): what is held
            // goes to librdkafka now, so the flush below delivers or fails it like the rest.
            waves.handOverAll()
            var left: Int32 = 0
            if rd_kafka_flush(handle, flushFor.clampedMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
                left = rd_kafka_outq_len(handle)
                context.logger.warning(
                    "producer close: messages not delivered within the timeout are failed",
                    metadata: ["undelivered": "\(left)"]
                )
                // Purged messages get a delivery report (_PURGE_QUEUE/_PURGE_INFLIGHT), served
                // locally by the short flush below, so no completion is lost.
                _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                _ = rd_kafka_flush(handle, purgeWait.clampedMilliseconds)
            }
            pollLoop.stop()
            pollThread.join()
            rd_kafka_poll(handle, 0)  // reports that arrived between the flush and the stop
            rd_kafka_destroy(handle)
            context.logger.debug("producer closed")
            return Int(left)
        }
    }

    /// Runs `body` with the handle unless the producer is closing; see `gate`.
    func withHandle<R>(_ body: (OpaquePointer) throws(KafkaError) -> R) throws(KafkaError) -> R {
        let before = gate.wrappingAdd(2, ordering: .acquiring).oldValue
        defer { gate.wrappingSubtract(2, ordering: .releasing) }
        guard before & 1 == 0 else { throw .closed }
        return try body(handle)
    }
}

/// The delivery-report loop of one producer. A separate object (not the producer) so that the
/// thread does not keep the producer alive and `deinit` can still close an abandoned producer.
/// `@unchecked Sendable`: the handle is only polled here, which librdkafka allows from any
/// thread; its owner destroys it only after `stop()` and joining the thread.
private final class PollLoop: @unchecked Sendable {
    private let handle: OpaquePointer
    private let waves: ProduceWaves
    private let stopping = Atomic(false)

    init(handle: OpaquePointer, waves: ProduceWaves) {
        self.handle = handle
        self.waves = waves
    }

    func run() {
        while !stopping.load(ordering: .acquiring) {
            // The timeout bounds how long stop() and a held record's deadline wait; a yield of the
            // main queue cuts it shorter.
            rd_kafka_poll(handle, waves.pollTimeoutMilliseconds())
            waves.handOverOverdue()
        }
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        waves.wakePoller()
    }
}

/// Runs on the thread that calls rd_kafka_poll/flush, once per message. The outcome goes to the
/// slot's `DeliveryHealth` before the completion, so readiness never lags the answer a client saw.
private let deliveryReportCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        handle,
        message,
        _ in
        guard let message, let opaque = message.pointee._private else { return }
        let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeRetainedValue()
        defer { box.waves.reported() }
        let context = handle.flatMap { ClientContext.from(rd_kafka_opaque($0)) }
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            context?.deliveryHealth?.delivered()
            box.completion(.success(DeliveryReport(topic: box.topic, partition: m.partition, offset: m.offset)))
        } else {
            let error = KafkaError(m.err)
            switch context?.deliveryHealth?.failed(error) ?? .none {
            case .none: break
            case .producerStateLoop:
                context?.onUnrecoverable?(
                    Unrecoverable(
                        error: error,
                        detail: "\(error.name) on every delivery: a producer-id loop",
                        needsBrokers: false
                    )
                )
            case .failingThroughout:
                context?.onUnrecoverable?(
                    Unrecoverable(
                        error: error,
                        detail: "every delivery failed (\(error.name)) for the stuck-producer bound",
                        needsBrokers: true
                    )
                )
            }
            box.completion(.failure(error))
        }
    }
