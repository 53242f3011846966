import CRdKafka
import Logging
import Synchronization

/// A pool of idempotent producers (`acks=all`, `enable.idempotence=true`) with Java-compatible
/// partitioning (`partitioner=murmur2_random`), so a key lands on the partition a Java client
/// would pick and keyed records written by both stay together.
///
/// produce() is built for event-loop threads: no Task, no actor, no lock; one atomic operation to
/// pick a producer (only for keyless records), one to enter the producer, one allocation for the
/// completion, and librdkafka's own enqueue.
public final class KafkaProducerPool: Sendable {
    private let producers: [KafkaProducer]
    private let nextKeyless = Atomic<UInt>(0)
    private let logger: Logger
    public let bootstrapServers: String

    public init(configuration: ProducerConfiguration, logger: Logger) throws(KafkaError) {
        guard configuration.poolSize >= 1 else { throw .invalidConfiguration("poolSize must be at least 1") }
        self.logger = logger
        self.bootstrapServers = configuration.kafka.bootstrapServers
        var producers: [KafkaProducer] = []
        for index in 0..<configuration.poolSize {
            let name = "producer-\(index)"
            let properties: [(String, String)] = [
                ("bootstrap.servers", configuration.kafka.bootstrapServers),
                ("client.id", "gateway-\(name)"),
                ("acks", "all"),
                ("enable.idempotence", "true"),
                ("partitioner", "murmur2_random"),
                ("message.timeout.ms", String(configuration.deliveryTimeout.clampedMilliseconds)),
                ("queue.buffering.max.messages", String(configuration.maxQueuedMessages)),
                ("linger.ms", configuration.linger.millisecondsPropertyValue),
            ] + configuration.kafka.properties.sorted { $0.key < $1.key }
            do {
                producers.append(try KafkaProducer(name: name, properties: properties, logger: logger))
            } catch {
                for producer in producers { producer.close(flushFor: .zero, purgeWait: .milliseconds(100)) }
                throw error
            }
        }
        self.producers = producers
        logger.info(
            "Kafka producer pool started",
            metadata: ["bootstrap_servers": .string(bootstrapServers), "producers": "\(producers.count)"])
    }

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
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader],
        completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        try producer(for: key).produce(topic: topic, key: key, value: value, headers: headers, completion: completion)
    }

    /// Produces one record and waits for the broker's acknowledgement. For control-plane code and
    /// tests; the hot path should use the completion form (no task suspension per record).
    public func produce(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader]
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
        producers[0].brokers(timeout: timeout)
    }

    /// Records waiting in all producers: queued, in flight, or acknowledged but not yet reported.
    public var queueDepth: Int {
        producers.reduce(0) { $0 + $1.queueDepth }
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
        return producers.reduce(0) { undelivered, producer in
            undelivered + producer.close(flushFor: max(.zero, flushDeadline - clock.now), purgeWait: reserve / producers.count)
        }
    }

    private func producer(for key: [UInt8]?) -> KafkaProducer {
        if producers.count == 1 { return producers[0] }
        guard let key else {
            let index = nextKeyless.wrappingAdd(1, ordering: .relaxed).oldValue
            return producers[Int(index % UInt(producers.count))]
        }
        return producers[Int(fnv1a(key) % UInt64(producers.count))]
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
