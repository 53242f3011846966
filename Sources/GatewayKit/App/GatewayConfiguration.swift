import Foundation
import HTTPCore
import KafkaBridge

/// Everything `gateway serve` needs, resolved from flags, environment and defaults.
struct GatewayConfiguration: Sendable {
    var host = "0.0.0.0"
    var port = 8080
    /// nil: start the embedded cluster.
    var bootstrapServers: String?
    var kafkaProperties: [String: String] = [:]
    var topic = "transactions"
    var alertsTopic = "transactions.alerts"
    var embeddedBrokers = 3
    var embeddedPartitions: Int32 = 6
    var eventLoops = ProcessInfo.processInfo.activeProcessorCount
    var producers = 2
    var maxBodyBytes = 1 << 20
    var maxBatchItems = 1000
    var maxConnections = 10_000
    var deliveryTimeout: Duration = .seconds(10)
    /// librdkafka's linger.ms. Each request waits for its batch's acknowledgement, so the linger is
    /// paid in latency, and with one hot key (one partition, at most 5 batches in flight for an
    /// idempotent producer) in throughput too: 2 ms measured ~22k req/s, 0.5 ms ~31k (bench/run.sh).
    var linger: Duration = .microseconds(500)
    /// How long a client waits for the brokers' answer before a 504; longer than the delivery
    /// timeout, so that a delivery failure (503) normally wins and 504 means a lost report.
    var responseTimeout: Duration = .seconds(15)
    var shutdownGrace: Duration = .seconds(10)
    var monitor = MonitorSettings()

    struct MonitorSettings: Sendable {
        var enabled = true
        var consumers = 3
        var groupID = "gateway-monitor"
        var configuration = MonitorConfiguration()
        var alertStoreCapacity = 10_000
    }

    var server: HTTPServerConfiguration {
        var server = HTTPServerConfiguration()
        server.host = host
        server.port = port
        server.eventLoopCount = max(1, eventLoops)
        server.maxBodyBytes = maxBodyBytes
        server.maxConnections = maxConnections
        server.responseTimeout = responseTimeout
        return server
    }

    func producer(bootstrapServers: String) -> ProducerConfiguration {
        var producer = ProducerConfiguration(kafka: KafkaConfiguration(bootstrapServers: bootstrapServers, properties: kafkaProperties))
        producer.poolSize = max(1, producers)
        producer.deliveryTimeout = deliveryTimeout
        producer.linger = linger
        return producer
    }
}
