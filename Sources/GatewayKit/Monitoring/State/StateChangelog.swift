import CoreSupport
import Foundation
import KafkaBridge
import Logging
import Synchronization

/// The monitor's changelog topic (`--state-topic`, default `transactions.monitor-state`,
/// compacted): where each partition's state is checkpointed and where every instance reads the
/// others' from. Input partition p's checkpoints go to changelog partition p with key "p", so the
/// newest record of changelog partition p is p's newest checkpoint (compaction keeps that one).
///
/// Owns the changelog's reader (`KafkaTopicReader`, outside any group, from each partition's last
/// record), the `CheckpointFollower` it feeds, and a producer of its own: checkpoints are large
/// records, kept off the transactions' producers so they never queue behind them or ahead of them.
final class StateChangelog: Sendable {
    let topic: String
    /// This instance's name in the checkpoints it writes.
    let writer: String
    let follower: CheckpointFollower
    /// How long a revocation waits for its last checkpoints to be acknowledged.
    let finalCheckpointTimeout: Duration
    /// How long an assignment waits to learn the changelog's end and read up to it.
    let restoreTimeout: Duration
    /// Largest checkpoint written, in bytes; a larger one is refused (logged) and the previous one stays.
    static let maxCheckpointBytes = 32 << 20
    private let reader: KafkaTopicReader
    private let producer: KafkaProducerPool
    private let logger: Logger
    private let tally = Mutex(Tally())

    struct Tally: Sendable, Equatable {
        var written = 0
        var bytesWritten = 0
        var failed = 0
        var restored = 0
        var restoreFailures = 0
        /// Size of the latest checkpoint written, per partition.
        var latestBytes: [Int32: Int] = [:]
    }

    /// Opens the changelog and checks it against the input topic; throws `StateTopicProblem` when
    /// the topic is missing or has fewer partitions than the input (the gateway then refuses to start).
    init(
        kafka: KafkaConfiguration,
        topic: String,
        inputTopic: String,
        configuration: MonitorConfiguration,
        deliveryTimeout: Duration,
        logger: Logger
    ) throws {
        self.topic = topic
        self.logger = logger
        writer = "\(ProcessInfo.processInfo.hostName)/\(getpid())"
        finalCheckpointTimeout = .seconds(5)
        restoreTimeout = .seconds(10)
        let follower = CheckpointFollower(configuration: configuration, logger: logger)
        self.follower = follower
        let reader = try Self.openReader(kafka: kafka, topic: topic, follower: follower, logger: logger)
        self.reader = reader
        let inputPartitions = try reader.partitionCount(of: inputTopic, timeout: .seconds(10))
        guard reader.partitionCount >= inputPartitions else {
            reader.stop()
            throw StateTopicProblem.tooFewPartitions(
                topic: topic,
                has: reader.partitionCount,
                inputTopic: inputTopic,
                needs: inputPartitions
            )
        }
        var producerConfiguration = ProducerConfiguration(
            kafka: KafkaConfiguration(
                bootstrapServers: kafka.bootstrapServers,
                properties: kafka.properties.merging([
                    "message.max.bytes": "\(Self.maxCheckpointBytes + 1024)", "compression.codec": "lz4",
                ]) { $1 }
            )
        )
        producerConfiguration.poolSize = 1
        producerConfiguration.deliveryTimeout = deliveryTimeout
        producerConfiguration.maxQueuedMessages = 1000
        do {
            producer = try KafkaProducerPool(configuration: producerConfiguration, logger: logger)
        } catch {
            reader.stop()
            throw error
        }
    }

    private static func openReader(
        kafka: KafkaConfiguration,
        topic: String,
        follower: CheckpointFollower,
        logger: Logger
    ) throws -> KafkaTopicReader {
        let opened = Result { () throws(KafkaError) in
            try KafkaTopicReader(kafka: kafka, topic: topic, name: "state-reader", logger: logger) {
                follower.receive($0)
            }
        }
        if case .failure(let error) = opened, error.isUnknownTopic {
            throw StateTopicProblem.missing(topic: topic, bootstrap: kafka.bootstrapServers)
        }
        return try opened.get()
    }

    func start() { reader.start() }

    /// Stops the reader and flushes the producer for at most `timeout`.
    func close(timeout: Duration) {
        reader.stop()
        _ = producer.close(timeout: timeout)
    }

    var counts: Tally { tally.withLock { $0 } }

    /// Produces the checkpoint to its partition; `completion(acknowledged)` runs once on the
    /// producer's thread. Returns false (and never calls `completion`) if it was not even queued.
    func write(_ checkpoint: PartitionCheckpoint, completion: @escaping @Sendable (Bool) -> Void) -> Bool {
        let bytes = checkpoint.encoded()
        guard bytes.count <= Self.maxCheckpointBytes else {
            tally.withLock { $0.failed += 1 }
            logger.error(
                "checkpoint too large; not written",
                metadata: ["partition": "\(checkpoint.partition)", "bytes": "\(bytes.count)"]
            )
            return false
        }
        let partition = checkpoint.partition
        do {
            try producer.produce(
                topic: topic,
                partition: partition,
                key: Array(String(partition).utf8),
                value: bytes,
                headers: []
            ) { [self] result in
                tally.withLock { tally in
                    if case .success = result {
                        tally.written += 1
                        tally.bytesWritten += bytes.count
                        tally.latestBytes[partition] = bytes.count
                    } else {
                        tally.failed += 1
                    }
                }
                if case .failure(let error) = result {
                    logger.warning(
                        "checkpoint not written",
                        metadata: ["partition": "\(partition)", "error": "\(error.name)"]
                    )
                }
                completion(result.isSuccess)
            }
            return true
        } catch {
            tally.withLock { $0.failed += 1 }
            logger.warning("checkpoint not queued", metadata: ["partition": "\(partition)", "error": "\(error.name)"])
            return false
        }
    }

    /// The partition's newest checkpoint, read once this instance's reader has caught up with the
    /// changelog's end (bounded by `restoreTimeout`); nil when it has none, or when it could not be
    /// read in time (logged at error level: the partition then starts empty at its committed offset).
    func restore(partition: Int32, configuration: MonitorConfiguration) -> PartitionCheckpoint? {
        let started = ContinuousClock.now
        let deadline = started + restoreTimeout
        guard let end = reader.highWatermark(partition: partition, timeout: restoreTimeout) else {
            return restoreFailed(partition, "the changelog's end offset could not be learnt")
        }
        switch follower.checkpoint(of: partition, changelogPartition: partition, end: end, until: deadline) {
        case .none:
            return nil
        case .timedOut(let position):
            return restoreFailed(partition, "the changelog was read up to \(position) of \(end) in time")
        case .found(let bytes):
            do {
                let checkpoint = try PartitionCheckpoint(decoding: bytes, configuration: configuration)
                tally.withLock { $0.restored += 1 }
                logger.info(
                    "partition state restored",
                    metadata: [
                        "partition": "\(partition)", "covered_offset": "\(checkpoint.coveredOffset)",
                        "bytes": "\(bytes.count)",
                        "written_by": "\(checkpoint.writer)",
                        "took_ms": "\((ContinuousClock.now - started).clampedNanoseconds / 1_000_000)",
                    ]
                )
                return checkpoint
            } catch {
                return restoreFailed(partition, "\(error)")
            }
        }
    }

    private func restoreFailed(_ partition: Int32, _ reason: String) -> PartitionCheckpoint? {
        tally.withLock { $0.restoreFailures += 1 }
        logger.error(
            "partition state not restored; it starts empty at the group's committed offset",
            metadata: ["partition": "\(partition)", "reason": "\(reason)"]
        )
        return nil
    }
}

/// Why the gateway refuses to start with monitoring on: the state model needs the changelog.
enum StateTopicProblem: Error, CustomStringConvertible {
    case missing(topic: String, bootstrap: String)
    case tooFewPartitions(topic: String, has: Int32, inputTopic: String, needs: Int32)

    var description: String {
        switch self {
        case .missing(let topic, let bootstrap):
            "the monitor's state topic \(topic) does not exist on \(bootstrap): create it (cleanup.policy=compact, "
                + "as many partitions as the transactions topic; see README, \"Scale-out\"), set --state-topic, or run with --consumers 0"
        case .tooFewPartitions(let topic, let has, let inputTopic, let needs):
            "the monitor's state topic \(topic) has \(has) partitions, fewer than the \(needs) of \(inputTopic): "
                + "each input partition checkpoints to the changelog partition of the same number"
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { true } else { false }
    }
}
