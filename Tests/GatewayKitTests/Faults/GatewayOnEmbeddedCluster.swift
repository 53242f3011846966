import Foundation
import HTTPCore
import HTTPCoreTesting
import KafkaBridge
import Logging
import Synchronization

@testable import GatewayKit

/// The gateway's real request path on real brokers, in process: `GatewayRoutes` over a
/// `KafkaProducerPool` configured as `gateway serve` configures it, on an embedded 3-broker cluster
/// whose faults a test turns on and off. Driven with `HTTPTestClient` (no sockets, no event loops).
/// Every answer is logged in the order the gateway gave it, which for accepted records is the order
/// of their delivery reports.
final class GatewayOnEmbeddedCluster: Sendable {
    static let topic = "transactions"
    let cluster: EmbeddedKafkaCluster
    let deliveryTimeout: Duration
    let client: HTTPTestClient
    private let pool: KafkaProducerPool
    private let answers = AnswerLog()

    init(deliveryTimeout: Duration = .seconds(2), label: String = #function) throws {
        let logger = quietLogger(label)
        cluster = try EmbeddedClusterLauncher.start(brokers: 3, partitions: 6, topics: [Self.topic], logger: logger)
        var configuration = GatewayConfiguration()
        configuration.deliveryTimeout = deliveryTimeout
        // librdkafka's reconnect back-off grows to 10 s by default; a 1 s cap (an operator's
        // `-X reconnect.backoff.max.ms=1000`) keeps recovery after a fault inside the tests' bounds.
        configuration.kafkaProperties = ["reconnect.backoff.max.ms": "1000"]
        self.deliveryTimeout = deliveryTimeout
        let pool = try KafkaProducerPool(
            configuration: configuration.producer(bootstrapServers: cluster.bootstrapServers),
            logger: logger
        )
        self.pool = pool
        let metrics = GatewayMetrics(knownRoutes: GatewayRoutes.knownRoutes)
        let health = HealthRoutes(
            probe: ReadinessProbe { pool.brokerCheck(timeout: .seconds(1)) },
            deliveryHealth: { pool.producerHealth() },
            deliveryReadiness: DeliveryReadiness(deliveryTimeout: deliveryTimeout),
            bootstrapServers: cluster.bootstrapServers,
            embedded: true
        )
        let handler = GatewayRoutes(
            producer: KafkaRecordProducer(pool: pool),
            topic: Self.topic,
            maxBatchItems: 1000,
            metrics: metrics,
            idempotency: IdempotencyStore(),
            pendingRecords: PendingRecords(limit: configuration.maxPendingRecords),
            health: health,
            monitor: nil,
            authenticator: nil,
            logger: logger
        ).router().handler
        let answers = self.answers
        client = HTTPTestClient { request, responder in
            handler(
                request,
                HTTPResponder(requestID: responder.requestID) { response in
                    answers.append(response)
                    responder.respond(response)
                }
            )
        }
        // The mock picks leaders at random; fixed ones make "broker 1 down" hit the same accounts
        // every run (the test accounts' keys land on partitions 1, 2, 3 and 5).
        moveLeaders(shift: 0)
    }

    /// The gateway's answers so far, in the order it gave them.
    var answersInOrder: [HTTPResponse] { answers.all }

    func close() {
        pool.close(timeout: .seconds(2))
        cluster.close()
    }

    /// Sets every broker down or up.
    func setAllBrokers(down: Bool) {
        for broker in 1...Int32(cluster.brokerCount) {
            if down { cluster.setBrokerDown(broker) } else { cluster.setBrokerUp(broker) }
        }
    }

    /// Gives every partition of the topic a leader: partition p goes to broker (p + shift) % 3 + 1.
    func moveLeaders(shift: Int32) {
        for partition in Int32(0)..<6 {
            cluster.setPartitionLeader(topic: Self.topic, partition: partition, broker: (partition + shift) % 3 + 1)
        }
    }
}

/// Answers appended from delivery-report threads.
private final class AnswerLog: Sendable {
    private let responses = Mutex<[HTTPResponse]>([])
    func append(_ response: HTTPResponse) { responses.withLock { $0.append(response) } }
    var all: [HTTPResponse] { responses.withLock { $0 } }
}

/// librdkafka is loud when brokers go down on purpose; `GATEWAY_TEST_LOG=debug swift test ...` shows it.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: "fault-test.\(label)")
    let level = ProcessInfo.processInfo.environment["GATEWAY_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .critical
    return logger
}
