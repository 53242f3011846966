import Foundation
import HTTPCore
import KafkaBridge
import Logging

/// Wires the gateway together and owns start-up and shutdown order.
///
/// Start: embedded cluster (if no bootstrap servers) -> producer pool -> monitor -> HTTP server.
/// Stop is the reverse, so in-flight requests still have a producer to finish on.
/// `@unchecked Sendable`: `Lifecycle` calls `start` and then, after the shutdown signal, `stop`, one
/// after the other; nothing else touches the stored parts (the routes capture the parts they need,
/// never the service).
package final class GatewayService: @unchecked Sendable {
    let configuration: GatewayConfiguration
    let logger: Logger
    private var cluster: EmbeddedKafkaCluster?
    private var producer: KafkaProducerPool?
    private var server: HTTPServer?
    private var monitorService: MonitorService?
    private(set) var port = 0

    package init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    package func start() throws {
        let bootstrap = try startKafka()
        let producer = try KafkaProducerPool(configuration: configuration.producer(bootstrapServers: bootstrap), logger: logger)
        self.producer = producer
        let metrics = GatewayMetrics(knownRoutes: GatewayRoutes.knownRoutes)
        if configuration.monitor.enabled {
            monitorService = makeMonitor(producer: producer)
        }
        let router = makeRouter(producer: producer, metrics: metrics)
        let server = HTTPServer(configuration: configuration.server, logger: logger,
                                observer: { request, status, duration in metrics.observe(request, status: status, duration: duration) },
                                handler: router.handler)
        // Bind before the consumers join the group: an instance that cannot listen (port taken)
        // must not make a shared group rebalance on its way out.
        port = try server.start()
        self.server = server
        if let monitorService { try startConsumers(monitorService, bootstrap: bootstrap) }
        logger.info("gateway listening", metadata: [
            "address": "http://\(configuration.host):\(port)", "bootstrap_servers": "\(bootstrap)",
            "embedded_cluster": "\(cluster != nil)", "topic": "\(configuration.topic)",
        ])
    }

    package func stop() {
        server?.shutdown(gracePeriod: configuration.shutdownGrace)
        monitorService?.stop()
        producer?.close(timeout: .seconds(5))
        cluster?.close()
        logger.info("gateway stopped")
    }

    private func startKafka() throws -> String {
        if let servers = configuration.bootstrapServers { return servers }
        let cluster = try EmbeddedCluster.start(
            brokers: configuration.embeddedBrokers, partitions: Int32(configuration.embeddedPartitions),
            topics: [configuration.topic, configuration.alertsTopic], logger: logger)
        self.cluster = cluster
        return cluster.bootstrapServers
    }

    private func makeMonitor(producer: KafkaProducerPool) -> MonitorService {
        let settings = configuration.monitor
        return MonitorService(monitor: Monitor(configuration: settings.configuration),
                              alerts: AlertStore(capacity: settings.alertStoreCapacity),
                              producer: producer, alertsTopic: configuration.alertsTopic, logger: logger)
    }

    private func startConsumers(_ service: MonitorService, bootstrap: String) throws {
        var properties = configuration.kafkaProperties
        if cluster != nil {
            // The mock cluster waits session.timeout.ms before a rebalance completes; the 45 s
            // default would leave a second instance idle that long.
            properties["session.timeout.ms"] = properties["session.timeout.ms"] ?? "6000"
            properties["heartbeat.interval.ms"] = properties["heartbeat.interval.ms"] ?? "500"
        }
        try service.start(kafka: KafkaConfiguration(bootstrapServers: bootstrap, properties: properties),
                          topic: configuration.topic, groupID: configuration.monitor.groupID,
                          consumers: configuration.monitor.consumers)
    }

    private func makeRouter(producer: KafkaProducerPool, metrics: GatewayMetrics) -> HTTPRouter {
        let probe = ReadinessProbe { producer.checkBrokers(timeout: .seconds(2)) }
        let health = HealthRoutes(probe: probe, bootstrapServers: producer.bootstrapServers, embedded: cluster != nil)
        let idempotency = IdempotencyStore(limits: configuration.idempotency, metrics: metrics)
        return GatewayRoutes(producer: producer, topic: configuration.topic, maxBatchItems: configuration.maxBatchItems,
                             metrics: metrics, idempotency: idempotency, health: health, monitor: monitorService,
                             authenticator: authenticator(metrics: metrics), logger: logger).router()
    }

    private func authenticator(metrics: GatewayMetrics) -> Authenticator? {
        guard let keys = configuration.apiKeys else { return nil }
        logger.info("API keys required", metadata: ["keys": "\(keys.entries.count)", "rate_limit_per_key": "\(configuration.rateLimitPerKey.map(String.init) ?? "none")"])
        return Authenticator(keys: keys, limiter: configuration.rateLimitPerKey.map { RateLimiter(ratePerSecond: $0) },
                             metrics: metrics, logger: logger)
    }
}
