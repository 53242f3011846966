import CRdKafka
import CoreSupport
import Logging
import Synchronization

/// A pool of idempotent producers (`acks=all`, `enable.idempotence=true`) with Java-compatible
/// partitioning (`partitioner=murmur2_random`), so a key lands on the partition a Java client
/// would pick and keyed records written by both stay together.
///
/// produce() is built for event-loop threads: no Task, no actor, no lock; one atomic operation to
/// pick a producer (only for keyless records), one to load the slot's producer, two to enter the
/// producer and count the record as pending, one allocation for the completion, and librdkafka's
/// own enqueue.
///
/// Self-healing: a producer that cannot recover (librdkafka's fatal error; a producer-id loop:
/// `ProducerConfiguration.producerStateErrorBound` such errors in a row; or every delivery failing
/// for `stuckProducerAfter` while a broker answers its metadata request) is replaced by a fresh one
/// in the same slot, so keys keep their producer. The replacement is built and the old producer
/// closed (its records failed with `_PURGE_*` after a short bound) on a thread of its own, never on
/// an event loop or a delivery-report thread; counted in `replacements`, logged at error level.
public final class KafkaProducerPool: Sendable {
    private let slots: [ProducerSlot]
    private let nextKeyless = Atomic<UInt>(0)
    private let factory: ProducerFactory
    private let logger: Logger
    private let replacementCount = Atomic<Int>(0)
    /// Closed, and the latest replacement thread of each slot (a replacement joins its slot's
    /// previous one, close joins the latest ones, bounded), so finished threads do not pile up.
    private let state = Mutex<(closed: Bool, replacers: [Int: JoinableThread])>((false, [:]))
    public let bootstrapServers: String

    public init(configuration: ProducerConfiguration, logger: Logger) throws(KafkaError) {
        guard configuration.poolSize >= 1 else { throw .invalidConfiguration("poolSize must be at least 1") }
        self.logger = logger
        self.bootstrapServers = configuration.kafka.bootstrapServers
        let factory = ProducerFactory(configuration: configuration, logger: logger)
        self.factory = factory
        // The producers exist before the pool does; their unrecoverable-error callbacks reach it
        // through the relay, connected below (weakly: producers must not keep the pool alive).
        let relay = ReplacementRelay()
        var slots: [ProducerSlot] = []
        for index in 0..<configuration.poolSize {
            let health = factory.makeHealth(index: index)
            do {
                let producer = try factory.makeProducer(
                    index: index,
                    health: health,
                    onUnrecoverable: relay.callback(slot: index, generation: 0)
                )
                slots.append(ProducerSlot(index: index, health: health, producer: producer))
            } catch {
                for slot in slots { slot.producer.close(flushFor: .zero, purgeWait: .milliseconds(100)) }
                throw error
            }
        }
        self.slots = slots
        self.relay = relay
        relay.connect { [weak self] slot, generation, reason in
            self?.replace(slot: slot, generation: generation, reason: reason)
        }
        logger.info(
            "Kafka producer pool started",
            metadata: ["bootstrap_servers": .string(bootstrapServers), "producers": "\(slots.count)"]
        )
    }

    private let relay: ReplacementRelay

    deinit {
        close(timeout: .milliseconds(500))
    }

    /// Enqueues one record. Throws synchronously when librdkafka refuses it (`_QUEUE_FULL`,
    /// `_UNKNOWN_TOPIC`, `MSG_SIZE_TOO_LARGE`, `_DESTROY` after close); then `completion` never
    /// runs. Otherwise `completion` runs exactly once, on the producer's delivery-report thread
    /// (during `close`, possibly on the closing thread), with the broker's acknowledgement or the
    /// final error after librdkafka's retries. Keep it short: it delays other reports.
    ///
    /// The same key always goes to the same producer of the pool (stable hash of the key bytes),
    /// so records of one key stay in order; keyless records are spread round-robin.
    public func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader],
        completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        try produce(topic: topic, partition: nil, key: key, value: value, headers: headers, completion: completion)
    }

    /// The same, to an explicit `partition` (nil: the partitioner picks by key), for records whose
    /// place is fixed by the application, such as a changelog partition per input partition. A nil
    /// `value` is a tombstone (compaction then drops the key).
    public func produce(
        topic: String,
        partition: Int32?,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader],
        completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        let slot = slot(for: key)
        let producer = slot.producer
        do {
            try producer.produce(
                topic: topic,
                partition: partition,
                key: key,
                value: value,
                headers: headers,
                completion: completion
            )
        } catch {
            // Raced with a replacement: the producer just loaded is closed or failed; its successor
            // takes the record. Anything else (or a closed pool) is the caller's error.
            let successor = slot.producer
            if successor === producer, error.code == KafkaError.fatal.code {
                // The fatal error callback fires once; if its replacement was refused (one was
                // still closing a predecessor), the refusal itself asks again.
                replace(
                    slot: slot.index,
                    generation: slot.generation,
                    reason: Unrecoverable(
                        error: error,
                        detail: "produce refused by a failed producer",
                        needsBrokers: false
                    )
                )
            }
            guard successor !== producer, error.code == KafkaError.closed.code || error.code == KafkaError.fatal.code
            else { throw error }
            try successor.produce(
                topic: topic,
                partition: partition,
                key: key,
                value: value,
                headers: headers,
                completion: completion
            )
        }
    }

    /// Produces one record and waits for the broker's acknowledgement. For control-plane code and
    /// tests; the hot path should use the completion form (no task suspension per record).
    public func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader]
    ) async throws(KafkaError) -> DeliveryReport {
        let result: Result<DeliveryReport, KafkaError> = await withCheckedContinuation { continuation in
            do throws(KafkaError) {
                try produce(topic: topic, key: key, value: value, headers: headers) { result in
                    continuation.resume(returning: result)
                }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Blocking metadata request (call it off event loops): the brokers reachable now, as
    /// "host:port", or the error (`_TRANSPORT`, `_TIMED_OUT`, ...).
    public func checkBrokers(timeout: Duration) -> Result<[String], KafkaError> {
        slots[0].producer.brokers(timeout: timeout)
    }

    /// The cluster's id, or nil when no broker answered within `timeout`. librdkafka's mock cluster
    /// (the embedded one, in this process or in `gateway kafka`) names itself `mockCluster<hex>`:
    /// see `isMockCluster`.
    public func clusterID(timeout: Duration) -> String? {
        slots[0].producer.clusterID(timeout: timeout)
    }

    /// How many partitions `topic` has, or nil when no broker answered within `timeout` or the
    /// topic does not exist.
    public func partitionCount(of topic: String, timeout: Duration) -> Int? {
        slots[0].producer.partitionCount(of: topic, timeout: timeout)
    }

    /// Whether a cluster id is that of librdkafka's mock cluster, which keeps only about 5 MB per
    /// partition and completes a rebalance only after the session timeout.
    public static func isMockCluster(id: String?) -> Bool {
        id?.hasPrefix("mockCluster") ?? false
    }

    /// Records waiting in all producers: queued, in flight, or acknowledged but not yet reported.
    public var queueDepth: Int {
        slots.reduce(0) { $0 + $1.producer.queueDepth }
    }

    /// The recent delivery outcomes of each producer, in pool order (a slot's outcomes carry over
    /// a replacement of its producer).
    public func deliveryHealth() -> [DeliveryHealthSnapshot] {
        slots.map { $0.health.snapshot() }
    }

    /// Producers replaced since start because they could not recover.
    public var replacements: Int {
        replacementCount.load(ordering: .relaxed)
    }

    /// Blocking, for about `timeout`: flushes all producers (their poll threads deliver side by
    /// side, so one shared deadline serves all), fails what is left (its completions run with
    /// `_PURGE_QUEUE`/`_PURGE_INFLIGHT`; a fifth of the timeout, at most 1 s, is kept for serving
    /// those), stops the poll threads and destroys the producers. Returns how many records were
    /// failed at the deadline. Afterwards produce() throws `_DESTROY`. Idempotent. Must not be
    /// called from a produce() completion (close waits for the thread that runs completions).
    @discardableResult
    public func close(timeout: Duration) -> Int {
        let clock = ContinuousClock()
        let reserve = min(.seconds(1), timeout / 5)
        let flushDeadline = clock.now + timeout - reserve
        let replacers = state.withLock { state in
            state.closed = true
            defer { state.replacers = [:] }
            return Array(state.replacers.values)
        }
        for replacer in replacers { _ = replacer.join(timeout: max(.zero, flushDeadline - clock.now)) }
        return slots.reduce(0) { undelivered, slot in
            undelivered
                + slot.producer.close(flushFor: max(.zero, flushDeadline - clock.now), purgeWait: reserve / slots.count)
        }
    }

    /// Runs `body` with the librdkafka handle of slot `index`'s producer; nil once that producer is
    /// closed. For the bridge's own modules (KafkaBridgeTesting raises fatal errors through it).
    package func withProducerHandle<R>(slot index: Int, _ body: (OpaquePointer) -> R) -> R? {
        try? slots[index].producer.withHandle { handle in body(handle) }
    }

    private func slot(for key: [UInt8]?) -> ProducerSlot {
        if slots.count == 1 { return slots[0] }
        guard let key else {
            let index = nextKeyless.wrappingAdd(1, ordering: .relaxed).oldValue
            return slots[Int(index % UInt(slots.count))]
        }
        return slots[Int(fnv1a(key) % UInt64(slots.count))]
    }

    // MARK: replacing a producer that cannot recover

    /// Called from the failing producer's poll thread: starts the replacement on a thread of its
    /// own (closing the old producer joins the very thread this runs on).
    private func replace(slot index: Int, generation: Int, reason: Unrecoverable) {
        let slot = slots[index]
        guard slot.generation == generation, slot.beginReplacement() else { return }
        let started = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            let previous = state.replacers[index]  // over (one at a time per slot): joins at once
            guard
                let thread = try? JoinableThread(
                    name: "kafka-replace-\(index)",
                    body: { [self] in
                        previous?.join()
                        performReplacement(slot, generation: generation + 1, reason: reason)
                        slot.endReplacement()
                    }
                )
            else { return false }
            state.replacers[index] = thread
            return true
        }
        if !started { slot.endReplacement() }
    }

    private func performReplacement(_ slot: ProducerSlot, generation: Int, reason: Unrecoverable) {
        if reason.needsBrokers, case .failure(let error) = slot.producer.brokers(timeout: .seconds(2)) {
            // No broker answers either: the cluster is away, and a fresh producer would not help.
            logger.debug(
                "producer kept: deliveries fail but no broker answers",
                metadata: ["error": .string(error.name)]
            )
            return
        }
        let fresh: KafkaProducer
        do {
            fresh = try factory.makeProducer(
                index: slot.index,
                health: slot.health,
                onUnrecoverable: relay.callback(slot: slot.index, generation: generation)
            )
        } catch {
            logger.error(
                "could not replace a Kafka producer that cannot recover",
                metadata: [
                    "producer": .string(slot.producer.name), "reason": .string(reason.description),
                    "error": .string(error.description),
                ]
            )
            return
        }
        // Under the state lock, so that close() either closes the fresh producer or prevents it.
        guard let old = state.withLock({ state in state.closed ? nil : slot.install(fresh) }) else {
            fresh.close(flushFor: .zero, purgeWait: .milliseconds(100))
            return
        }
        let count = replacementCount.add(1, ordering: .relaxed).newValue
        let inFlight = old.queueDepth
        logger.error(
            "Kafka producer replaced: it could not recover; its records in flight fail",
            metadata: [
                "producer": .string(old.name), "reason": .string(reason.description),
                "records_in_flight": "\(inFlight)", "replacements": "\(count)",
            ]
        )
        old.close(flushFor: .zero, purgeWait: .seconds(1))
    }
}

/// Hands an unrecoverable-producer event from a producer's callbacks to the pool, which does not
/// exist yet when its first producers are made. Touched only on such events and once at start.
private final class ReplacementRelay: Sendable {
    typealias Handler = @Sendable (_ slot: Int, _ generation: Int, _ reason: Unrecoverable) -> Void
    private let handler = Mutex<Handler?>(nil)

    func connect(_ handler: @escaping Handler) {
        self.handler.withLock { $0 = handler }
    }

    func callback(slot: Int, generation: Int) -> @Sendable (Unrecoverable) -> Void {
        { reason in self.handler.withLock { $0 }?(slot, generation, reason) }
    }
}

/// FNV-1a: stable across processes and runs (unlike `Hasher`, which is seeded per process), cheap
/// for short keys such as account ids.
private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash
}
