import ArgumentParser
import Foundation
import KafkaBridge
import Logging

/// `gateway serve`: every option also reads an environment variable, named in its help.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (with an embedded 3-broker Kafka cluster when no --bootstrap-servers is given)."
    )

    @Option(help: "Address to listen on (GATEWAY_HOST).")
    var host: String = Environment.string("GATEWAY_HOST", "0.0.0.0")

    @Option(help: "Port to listen on; 0 picks a free one and the log says which (GATEWAY_PORT).")
    var port: Int = Environment.int("GATEWAY_PORT", 8080)

    @Option(help: "Kafka bootstrap servers host:port,...; none starts the embedded cluster (KAFKA_BOOTSTRAP_SERVERS).")
    var bootstrapServers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("Extra librdkafka property key=value, repeatable; KAFKA_<NAME> variables do the same (KAFKA_LINGER_MS=5 is linger.ms=5).", valueName: "key=value"))
    var kafkaProperty: [String] = []

    @Option(help: "Topic transactions are produced to (GATEWAY_TOPIC).")
    var topic: String = Environment.string("GATEWAY_TOPIC", "transactions")

    @Option(help: "Topic alerts are produced to and read from (GATEWAY_ALERTS_TOPIC).")
    var alertsTopic: String = Environment.string("GATEWAY_ALERTS_TOPIC", "transactions.alerts")

    @Option(help: "Brokers of the embedded cluster (GATEWAY_EMBEDDED_BROKERS).")
    var embeddedBrokers: Int = Environment.int("GATEWAY_EMBEDDED_BROKERS", 3)

    @Option(help: "Partitions of the embedded cluster's topics (GATEWAY_EMBEDDED_PARTITIONS).")
    var embeddedPartitions: Int = Environment.int("GATEWAY_EMBEDDED_PARTITIONS", 6)

    @Option(help: "HTTP event-loop threads (GATEWAY_EVENT_LOOPS).")
    var eventLoops: Int = Environment.int("GATEWAY_EVENT_LOOPS", ProcessInfo.processInfo.activeProcessorCount)

    @Option(help: "Kafka producers in the pool (GATEWAY_PRODUCERS).")
    var producers: Int = Environment.int("GATEWAY_PRODUCERS", 2)

    @Option(help: "Largest request body in bytes; larger gets 413 (GATEWAY_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = Environment.int("GATEWAY_MAX_BODY_BYTES", 1 << 20)

    @Option(help: "Most transactions in one batch request (GATEWAY_MAX_BATCH_ITEMS).")
    var maxBatchItems: Int = Environment.int("GATEWAY_MAX_BATCH_ITEMS", 1000)

    @Option(help: "Most open client connections; more get 503 (GATEWAY_MAX_CONNECTIONS).")
    var maxConnections: Int = Environment.int("GATEWAY_MAX_CONNECTIONS", 10_000)

    @Option(help: "Milliseconds Kafka has to acknowledge a record before the client gets 503 (GATEWAY_DELIVERY_TIMEOUT_MS).")
    var deliveryTimeoutMs: Int = Environment.int("GATEWAY_DELIVERY_TIMEOUT_MS", 10_000)

    @Option(help: "Producer batching delay in milliseconds, librdkafka's linger.ms (GATEWAY_LINGER_MS).")
    var lingerMs: Double = Double(Environment.string("GATEWAY_LINGER_MS", "0.5")) ?? 0.5

    @Option(help: "Milliseconds a client waits for an answer before 504 Gateway Timeout; keep it above the delivery timeout (GATEWAY_RESPONSE_TIMEOUT_MS).")
    var responseTimeoutMs: Int = Environment.int("GATEWAY_RESPONSE_TIMEOUT_MS", 15_000)

    @Option(help: "Consumers in the monitoring consumer group; 0 disables monitoring (GATEWAY_CONSUMERS).")
    var consumers: Int = Environment.int("GATEWAY_CONSUMERS", 3)

    @Option(help: "Consumer group of the monitor (GATEWAY_GROUP_ID).")
    var groupId: String = Environment.string("GATEWAY_GROUP_ID", "gateway-monitor")

    @OptionGroup(title: "Monitoring")
    var monitorOptions: MonitorOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (GATEWAY_LOG_LEVEL).")
    var logLevel: String = Environment.string("GATEWAY_LOG_LEVEL", "info")

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level") }
        guard embeddedBrokers >= 1, embeddedPartitions >= 1 else { throw ValidationError("embedded brokers and partitions must be >= 1") }
        guard maxBodyBytes > 0, maxBatchItems > 0, deliveryTimeoutMs > 0, responseTimeoutMs > 0, lingerMs >= 0 else { throw ValidationError("limits must be > 0") }
        _ = try KafkaConfiguration.parseProperties(kafkaProperty)
        _ = try monitorOptions.resolved()
    }

    func resolved() throws -> GatewayConfiguration {
        var config = GatewayConfiguration()
        config.host = host
        config.port = port
        config.bootstrapServers = bootstrapServers ?? Environment.string("KAFKA_BOOTSTRAP_SERVERS")
        let fromEnvironment = KafkaConfiguration.properties(
            fromEnvironment: Environment.values, excluding: ["KAFKA_BOOTSTRAP_SERVERS"])
        config.kafkaProperties = fromEnvironment.merging(try KafkaConfiguration.parseProperties(kafkaProperty)) { $1 }
        config.topic = topic
        config.alertsTopic = alertsTopic
        config.embeddedBrokers = embeddedBrokers
        config.embeddedPartitions = Int32(embeddedPartitions)
        config.eventLoops = eventLoops
        config.producers = producers
        config.maxBodyBytes = maxBodyBytes
        config.maxBatchItems = maxBatchItems
        config.maxConnections = maxConnections
        config.deliveryTimeout = .milliseconds(deliveryTimeoutMs)
        config.responseTimeout = .milliseconds(responseTimeoutMs)
        config.linger = .microseconds(Int((lingerMs * 1000).rounded()))
        config.monitor.enabled = consumers > 0
        config.monitor.consumers = consumers
        config.monitor.groupID = groupId
        config.monitor.configuration = try monitorOptions.resolved()
        config.monitor.alertStoreCapacity = monitorOptions.alertStoreCapacity
        return config
    }

    func run() throws {
        let logger = GatewayLogging.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        let service = GatewayService(configuration: try resolved(), logger: logger)
        do {
            try service.start()
        } catch {
            logger.critical("gateway failed to start: \(error)")
            throw ExitCode.failure
        }
        ShutdownSignal.wait()
        logger.info("shutting down")
        service.stop()
    }
}
