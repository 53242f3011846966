import KafkaBridge
import Logging

/// The gateway's `ChangelogTopic` over KafkaBridge: a `KafkaTopicReader` follows the topic, a
/// `KafkaPartitionReplay` reads a partition for a restore, and a producer pool of its own writes
/// (kept off the transactions' producers so flushes never queue behind or ahead of them).
final class KafkaChangelogTopic: ChangelogTopic {
    let name: String
    private let kafka: KafkaConfiguration
    private let reader: KafkaTopicReader
    private let producer: KafkaProducerPool
    private let logger: Logger

    /// Opens the topic, with `follower` getting every record once following starts; throws
    /// `StateTopicProblem.missing` when the cluster has no such topic.
    init(
        kafka: KafkaConfiguration,
        topic: String,
        deliveryTimeout: Duration,
        logger: Logger,
        follower: @escaping @Sendable (ConsumedRecord) -> Void
    ) throws {
        name = topic
        self.kafka = kafka
        self.logger = logger
        let opened = Result { () throws(KafkaError) in
            try KafkaTopicReader(kafka: kafka, topic: topic, tail: nil, name: "state-reader", logger: logger) {
                follower(ConsumedRecord($0))
            }
        }
        if case .failure(let error) = opened, error.isUnknownTopic {
            throw StateTopicProblem.missing(topic: topic, bootstrap: kafka.bootstrapServers)
        }
        let reader = try opened.get()
        do {
            producer = try KafkaProducerPool(
                configuration: Self.producerConfiguration(kafka, deliveryTimeout: deliveryTimeout),
                logger: logger
            )
        } catch {
            reader.stop()
            throw error
        }
        self.reader = reader
    }

    private static func producerConfiguration(
        _ kafka: KafkaConfiguration,
        deliveryTimeout: Duration
    ) -> ProducerConfiguration {
        var configuration = ProducerConfiguration(
            kafka: KafkaConfiguration(
                bootstrapServers: kafka.bootstrapServers,
                // A flush after a long run may carry every account changed since: let many records
                // queue, but bound their bytes (librdkafka's default is 1 GiB): past 32 MiB a flush
                // waits for acknowledgements (`StateChangelog.write`'s queue wait), which is its
                // back-pressure.
                properties: kafka.properties.merging([
                    "compression.codec": "lz4", "queue.buffering.max.kbytes": "32768",
                ]) { $1 }
            )
        )
        configuration.poolSize = 1
        configuration.deliveryTimeout = deliveryTimeout
        configuration.maxQueuedMessages = 1_000_000
        configuration.linger = .milliseconds(20)
        return configuration
    }

    var partitionCount: Int32 { reader.partitionCount }

    func partitionCount(of other: String, timeout: Duration) throws -> Int32 {
        try reader.partitionCount(of: other, timeout: timeout)
    }

    func clusterID(timeout: Duration) -> String? { reader.clusterID(timeout: timeout) }

    func startFollowing() { reader.start() }

    func watermarks(partition: Int32, timeout: Duration) -> (low: Int64, high: Int64)? {
        reader.watermarks(partition: partition, timeout: timeout)
    }

    func replay(
        partition: Int32,
        from: Int64,
        shouldStop: () -> Bool,
        handler: (ConsumedRecord) -> Void
    ) throws(ReplayFailure) -> ReplayOutcome {
        do {
            let outcome = try KafkaPartitionReplay.read(
                kafka: kafka,
                topic: name,
                partition: partition,
                from: from,
                name: "state-restore-\(partition)",
                logger: logger,
                shouldStop: shouldStop
            ) { handler(ConsumedRecord($0)) }
            return ReplayOutcome(nextOffset: outcome.nextOffset, stopped: outcome.stopped)
        } catch {
            throw ReplayFailure(isOffsetOutOfRange: error.isOffsetOutOfRange, description: error.description)
        }
    }

    func write(
        partition: Int32,
        key: [UInt8],
        value: [UInt8]?,
        completion: @escaping @Sendable (ProduceOutcome) -> Void
    ) throws(ProduceFailure) {
        do {
            try producer.produce(topic: name, partition: partition, key: key, value: value, headers: []) { result in
                completion(ProduceOutcome(result))
            }
        } catch {
            throw ProduceFailure(error)
        }
    }

    func close(timeout: Duration) {
        reader.stop()
        _ = producer.close(timeout: timeout)
    }
}
