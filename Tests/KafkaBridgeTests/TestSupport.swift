import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import KafkaBridge

/// Test logger: quiet by default (librdkafka is chatty when brokers go down on purpose);
/// `KAFKA_TEST_LOG=debug swift test ...` shows everything.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: "kafka-test.\(label)")
    let level = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .critical
    return logger
}

/// A fresh embedded cluster with one topic; everything a test needs to produce and consume.
func makeCluster(
    brokers: Int = 3,
    topic: String = "t",
    partitions: Int32 = 6,
    label: String = #function
) throws -> EmbeddedKafkaCluster {
    let cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: testLogger(label))
    try cluster.createTopic(topic, partitions: partitions, replicationFactor: Int32(min(brokers, 3)))
    return cluster
}

/// Producer settings for tests: bounded delivery (so every awaited produce is bounded) and fast
/// reconnects (librdkafka's default back-off grows to 10 s).
func producerConfiguration(
    _ cluster: EmbeddedKafkaCluster,
    deliveryTimeout: Duration = .seconds(10),
    poolSize: Int = 2
) -> ProducerConfiguration {
    var configuration = ProducerConfiguration(
        kafka: KafkaConfiguration(
            bootstrapServers: cluster.bootstrapServers,
            properties: ["reconnect.backoff.max.ms": "500", "retry.backoff.ms": "50"]
        )
    )
    configuration.deliveryTimeout = deliveryTimeout
    configuration.poolSize = poolSize
    return configuration
}

/// Consumer settings for tests. The mock coordinator waits (session.timeout.ms - 1 s) for members
/// to rejoin after a membership change, so a short session keeps rebalances quick.
func consumerConfiguration(_ cluster: EmbeddedKafkaCluster, group: String, topic: String = "t") -> ConsumerConfiguration
{
    ConsumerConfiguration(
        kafka: KafkaConfiguration(
            bootstrapServers: cluster.bootstrapServers,
            properties: [
                "session.timeout.ms": "2500", "heartbeat.interval.ms": "250",
                "auto.commit.interval.ms": "500", "reconnect.backoff.max.ms": "500",
                "topic.metadata.refresh.interval.ms": "1000",
            ]
        ),
        groupID: group,
        topics: [topic]
    )
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Collects completions from delivery-report threads.
final class Collector<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// Reads a whole topic with kcat (an independent client): one line per record,
/// "key|value|partition|offset|headers".
func kcatRead(_ cluster: EmbeddedKafkaCluster, topic: String) throws -> [String] {
    let result = try runProcess(
        "/usr/bin/kcat",
        [
            "-b", cluster.bootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
            "-f", "%k|%s|%p|%o|%h\n",
        ],
        timeout: .seconds(15)
    )
    #expect(!result.timedOut, "kcat overran its deadline")
    #expect(result.status == 0, "kcat failed: \(result.stderr)")
    return result.stdout.split(separator: "\n").map(String.init)
}

/// Kafka's Java `Utils.murmur2`, to check that keys land where a Java client would put them.
func javaPartition(key: [UInt8], partitions: Int32) -> Int32 {
    let m: UInt32 = 0x5bd1_e995
    let r: UInt32 = 24
    var h: UInt32 = 0x9747_b28c ^ UInt32(key.count)
    let blocks = key.count / 4
    for i in 0..<blocks {
        var k =
            UInt32(key[i * 4]) | UInt32(key[i * 4 + 1]) << 8 | UInt32(key[i * 4 + 2]) << 16 | UInt32(key[i * 4 + 3])
            << 24
        k = k &* m
        k ^= k >> r
        k = k &* m
        h = h &* m
        h ^= k
    }
    let tail = blocks * 4
    switch key.count % 4 {
    case 3:
        h ^= UInt32(key[tail + 2]) << 16
        fallthrough
    case 2:
        h ^= UInt32(key[tail + 1]) << 8
        fallthrough
    case 1:
        h ^= UInt32(key[tail])
        h = h &* m
    default:
        break
    }
    h ^= h >> 13
    h = h &* m
    h ^= h >> 15
    return Int32((h & 0x7fff_ffff) % UInt32(partitions))
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

/// A pool on `cluster` with one record already delivered (connections and producer id in place).
func warmPool(
    _ cluster: EmbeddedKafkaCluster,
    deliveryTimeout: Duration = .seconds(10),
    poolSize: Int = 1,
    logger: Logger,
    _ configure: (inout ProducerConfiguration) -> Void = { _ in }
) async throws -> KafkaProducerPool {
    var configuration = producerConfiguration(cluster, deliveryTimeout: deliveryTimeout, poolSize: poolSize)
    configure(&configuration)
    let pool = try KafkaProducerPool(configuration: configuration, logger: logger)
    // The first delivery waits for connections and metadata; on a loaded machine that can outlast a
    // short delivery timeout, so retry within a bound, then let one last attempt throw its error.
    if await produceUntilDelivered(pool, value: "warm-up", timeout: .seconds(15)) == nil {
        _ = try await pool.produce(topic: "t", key: "k".bytes, value: "warm-up".bytes, headers: [])
    }
    return pool
}

/// Produces to "t" until a record is acknowledged (reconnecting takes a back-off period) or
/// `timeout` passes; the acknowledgement, or nil.
func produceUntilDelivered(
    _ pool: KafkaProducerPool,
    value: String = "back",
    timeout: Duration = .seconds(15)
) async -> DeliveryReport? {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if let report = try? await pool.produce(topic: "t", key: "k".bytes, value: value.bytes, headers: []) {
            return report
        }
    }
    return nil
}
