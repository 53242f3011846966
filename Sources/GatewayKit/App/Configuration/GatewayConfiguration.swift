import Foundation
import HTTPCore
import KafkaBridge
import Logging

/// Everything `gateway serve` needs. The initial values are the defaults (the one place they live);
/// `ServeSettings` fills the rest from flags and environment variables.
package struct GatewayConfiguration: Sendable {
    package var host = "0.0.0.0"
    package var port = 8080
    /// nil: start the embedded cluster.
    package var bootstrapServers: String?
    /// librdkafka properties from `-X key=value` and `KAFKA_<NAME>` variables.
    package var kafkaProperties: [String: String] = [:]
    package var topic = "transactions"
    package var alertsTopic = "transactions.alerts"
    /// The monitor's changelog (compacted): per-partition state checkpoints.
    package var stateTopic = "transactions.monitor-state"
    package var embeddedBrokers = 3
    package var embeddedPartitions = 6
    package var eventLoops = ProcessInfo.processInfo.activeProcessorCount
    /// One producer: on few cores a second one only adds wake-ups (each record pays a chain of thread
    /// hand-offs) and halves the records per produce request, so it served fewer requests at more CPU
    /// each (bench/RESULTS.md, "CPU per request"). More producers help only when one producer's
    /// delivery-report thread is the bottleneck.
    package var producers = 1
    package var maxBodyBytes = 1 << 20
    package var maxBatchItems = 1000
    package var maxConnections = 10_000
    /// Request bytes held across connections (read, not yet answered); see
    /// `HTTPServerConfiguration.maxBufferedRequestBytes` for what happens at the bound and why 64 MiB.
    package var maxBufferedRequestBytes = 64 << 20
    /// Open `GET /events` streams (dashboard viewers) at most; more get 503.
    package var maxEventStreams = 100
    /// Heartbeat comments on `GET /alerts/stream`: shorter than the idle timeouts of common proxies
    /// (nginx's `proxy_read_timeout` is 60 s).
    package var alertStreamHeartbeat: Duration = .seconds(15)
    /// Records handed to Kafka and not yet acknowledged, across requests (`PendingRecords`): twice
    /// what the embedded cluster acknowledges in a second, and 20 batches of the largest size.
    package var maxPendingRecords = 20_000
    package var deliveryTimeout: Duration = .seconds(10)
    /// `/readyz`: delivery failures in a row (per producer) that make the gateway not ready, and how
    /// long after its latest failure such a streak counts (nil: twice the delivery timeout).
    package var readinessFailures = 3
    package var readinessFailureWindow: Duration?
    /// librdkafka's linger.ms. Batches come from load instead (records that arrive while a wave is in
    /// flight leave together, see KafkaBridge's `ProduceWaves`), so an idle request leaves at once. A
    /// linger alone (without the waves) made librdkafka 2.0.2's broker threads spin below about 5 ms
    /// (ARCHITECTURE.md, Kafka), and any linger under 1 ms costs a whole one (the broker thread rounds
    /// its poll timeout up to milliseconds; bench/RESULTS.md has the figures).
    package var linger: Duration = .zero
    /// How long a client waits for the brokers' answer before a 504; longer than the delivery
    /// timeout, so that a delivery failure (503) normally wins and 504 means a lost report.
    package var responseTimeout: Duration = .seconds(15)
    /// `Idempotency-Key`: how long an answer is kept, and how many and how many bytes at most.
    package var idempotency = IdempotencyLimits()
    /// From SIGTERM/SIGINT to exit, whatever the brokers do (see `ShutdownBudget` for its split).
    package var shutdownTimeout: Duration = .seconds(30)
    package var logLevel = Logger.Level.info
    /// The keys file's path and its entries; nil: every route is open.
    package var apiKeysFile: String?
    var apiKeys: APIKeys?
    /// Requests per second per API key; nil: unlimited.
    package var rateLimitPerKey: Int?
    package var monitor = MonitorSettings()
    package var webhooks = WebhookSettings()

    package init() {}

    package struct MonitorSettings: Sendable {
        /// Consumers in the group; 0 turns monitoring off.
        package var consumers = 3
        package var groupID = "gateway-monitor"
        package var configuration = MonitorConfiguration.gatewayDefault
        /// Folder of the partition stores; nil: `defaultStateDirectory(port:)`.
        package var stateDirectory: String?
        package var alertStoreCapacity = 10_000
        /// How often each owned partition's state is checkpointed to the state topic: what a crash
        /// costs in records read again (see ARCHITECTURE.md, "State model").
        package var checkpointInterval: Duration = .seconds(5)
        /// Nice value of the monitor's consumer threads (and their librdkafka threads). 0: they
        /// share the CPU with ingestion as equals. Above 0 they yield to ingestion under load, which
        /// starved them under batch load (the monitor fell millions of records behind, and the
        /// embedded cluster dropped what it had not read); with `maxLag` on, a starved monitor
        /// would keep ingestion refused for long stretches instead.
        package var threadNiceness = 0
        /// `--max-monitor-lag`: records the monitor may trail on a partition before ingestion
        /// answers 503 (`MonitorLagGate`); 0 turns the bound off; nil: `embeddedMaxLag` on
        /// librdkafka's mock cluster (in process or `gateway kafka`), off on any other.
        package var maxLag: Int?
        /// What the mock cluster keeps per partition is about 5 MB: 5,000 records of up to 1 KB
        /// (a realistic transaction record is 300-400 bytes), leaving room for records accepted
        /// between two samples and awaiting acknowledgement (`MonitorLagGate`).
        package static let embeddedMaxLag = 5_000
        /// The rules file the rules came from, for the help and the log.
        package var alertRulesFile: String?

        package var enabled: Bool { consumers > 0 }

        /// A folder per group and port under the temporary folder: a restart on the same port
        /// finds its stores, and two instances on one host never share one.
        package func stateDirectory(port: Int) -> String {
            stateDirectory
                ?? (NSTemporaryDirectory() as NSString).appendingPathComponent(
                    "kafka-transaction-gateway/\(groupID)-\(port)"
                )
        }
    }

    /// What is wrong across settings, in words for a start-up error; empty when valid.
    package var problems: [String] {
        var problems = monitor.configuration.problems + webhooks.problems
        if maxPendingRecords < maxBatchItems {
            problems.append(
                "--max-pending-records (\(maxPendingRecords)) must be at least --max-batch-items (\(maxBatchItems)), or the largest batch never fits"
            )
        }
        if maxBufferedRequestBytes < 2 * maxBodyBytes {
            problems.append(
                "--max-buffered-request-bytes (\(maxBufferedRequestBytes)) must be at least twice --max-body-bytes (\(maxBodyBytes)), so that the largest body always fits beside partly read requests"
            )
        }
        if rateLimitPerKey != nil, apiKeys == nil {
            problems.append("--rate-limit-per-key needs --api-keys-file (limits are per key)")
        }
        return problems
    }

    var server: HTTPServerConfiguration {
        var server = HTTPServerConfiguration()
        server.host = host
        server.port = port
        server.eventLoopCount = max(1, eventLoops)
        server.maxBodyBytes = maxBodyBytes
        server.maxConnections = maxConnections
        server.maxBufferedRequestBytes = maxBufferedRequestBytes
        server.maxStreams = maxEventStreams
        server.responseTimeout = responseTimeout
        server.streamsRequestBody = TransactionsRoute.wantsStreaming
        return server
    }

    var deliveryReadiness: DeliveryReadiness {
        var readiness = DeliveryReadiness(deliveryTimeout: deliveryTimeout)
        readiness.failureThreshold = readinessFailures
        if let readinessFailureWindow { readiness.recentWindow = readinessFailureWindow }
        return readiness
    }

    func producer(bootstrapServers: String) -> ProducerConfiguration {
        var producer = ProducerConfiguration(
            kafka: KafkaConfiguration(bootstrapServers: bootstrapServers, properties: kafkaProperties)
        )
        producer.poolSize = max(1, producers)
        producer.deliveryTimeout = deliveryTimeout
        producer.linger = linger
        return producer
    }
}
