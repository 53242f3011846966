import CoreSupport
import Foundation
import HTTPCore
import KafkaBridge
import Logging
import Synchronization

/// Wires the gateway together and owns start-up and shutdown order.
///
/// Start: embedded cluster (if no bootstrap servers) -> producer pool -> monitor -> HTTP server.
/// Stop is the reverse, so in-flight requests still have a producer to finish on, and it keeps
/// within `shutdownTimeout` as `ShutdownBudget` splits it.
/// `@unchecked Sendable`: `ServiceRunner` calls `start` and then, after the shutdown signal, `stop`, one
/// after the other; nothing else touches the stored parts (the routes capture the parts they need,
/// never the service).
package final class GatewayService: @unchecked Sendable {
    let configuration: GatewayConfiguration
    let logger: Logger
    private var cluster: EmbeddedKafkaCluster?
    private var producer: KafkaProducerPool?
    private var server: HTTPServer?
    private var monitorService: MonitorService?
    private var events: EventPublisher?
    private var clusterView: ClusterViewSource?
    private var monitorGate: MonitorLagGate?
    /// Partitions of the transactions topic, read once at start (nil: unknown).
    private var topicPartitions: Int?
    private var alertStream: AlertStreamPublisher?
    private var webhooks: WebhookDispatcher?
    private let heapTrimmer = HeapTrimmer()
    private(set) var port = 0
    /// Whether the cluster is librdkafka's mock (the embedded one, in this process or in
    /// `gateway kafka`): it keeps about 5 MB per partition and waits out the session timeout in
    /// every rebalance, so the monitor's defaults differ (see `startConsumers`).
    private var onMockCluster = false
    /// The shutdown's current step and what it gave up so far, for the watchdog's last log line.
    private let shutdownProgress = Mutex((step: "running", report: ShutdownReport()))

    package init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    package func start() throws {
        // Before librdkafka's and the server's threads exist; see `HeapTrimmer`.
        HeapTrimmer.configureAllocator(arenas: 4, mmapThreshold: 256 * 1024)
        try heapTrimmer.start(every: .seconds(5))
        let bootstrap = try startKafka()
        let producer = try KafkaProducerPool(
            configuration: configuration.producer(bootstrapServers: bootstrap),
            logger: logger
        )
        self.producer = producer
        // Only the monitor's settings depend on it; without the monitor, start-up waits for no broker.
        onMockCluster =
            cluster != nil
            || (configuration.monitor.enabled
                && KafkaProducerPool.isMockCluster(id: producer.clusterID(timeout: .seconds(5))))
        let metrics = GatewayMetrics(knownRoutes: GatewayRoutes.knownRoutes)
        var changelog: StateChangelog?
        if configuration.monitor.enabled {
            monitorService = makeMonitor(producer: producer)
            // Before binding: a cluster without the state topic stops start-up with the reason.
            changelog = try openChangelog(bootstrap: bootstrap)
            monitorGate = makeMonitorGate()
            topicPartitions = producer.partitionCount(of: configuration.topic, timeout: .seconds(5))
        }
        let clusterView = makeClusterView(bootstrap: bootstrap, producer: producer, metrics: metrics)
        self.clusterView = clusterView
        if configuration.webhooks.enabled, let secret = configuration.webhooks.secret {
            webhooks = try WebhookDispatcher(
                settings: configuration.webhooks,
                secret: secret,
                producer: KafkaRecordProducer(pool: producer),
                logger: logger
            )
        }
        let events = makeEventPublisher(metrics: metrics, cluster: clusterView)
        self.events = events
        alertStream = monitorService.map {
            AlertStreamPublisher(store: $0.alerts, heartbeat: configuration.alertStreamHeartbeat, logger: logger)
        }
        let requestBudget = RequestBudgetGauge()
        let router = makeRouter(
            producer: producer,
            metrics: metrics,
            requestBudget: requestBudget,
            clusterRoutes: clusterRoutes(clusterView)
        )
        let server = HTTPServer(
            configuration: configuration.server,
            logger: logger,
            observer: { request, status, duration in metrics.observe(request, status: status, duration: duration) },
            handler: router.handler
        )
        // Bind before the consumers join the group: an instance that cannot listen (port taken)
        // must not make a shared group rebalance on its way out.
        port = try server.start()
        self.server = server
        requestBudget.attach(server)
        try events.start()
        try clusterView.start()
        try alertStream?.start()
        if let monitorService {
            try startConsumers(monitorService, bootstrap: bootstrap, changelog: changelog)
            monitorGate?.start {
                monitorService.lag().map { ($0.partition, $0.position, $0.highWatermark) }
            }
        }
        try webhooks?.start(
            kafka: KafkaConfiguration(bootstrapServers: bootstrap, properties: consumerProperties()),
            topic: configuration.alertsTopic
        )
        logger.info(
            "gateway listening",
            metadata: [
                "address": "http://\(configuration.host):\(port)", "bootstrap_servers": "\(bootstrap)",
                "embedded_cluster": "\(cluster != nil)", "topic": "\(configuration.topic)",
            ]
        )
    }

    /// Blocking, within the shutdown timeout (`ShutdownBudget`): stops accepting, answers what was
    /// read (503 for what Kafka has not answered by half-time) while the consumers leave their group
    /// side by side, flushes the producer, and stops the embedded cluster. Returns what had to be
    /// abandoned, also logged at error level.
    package func stop() -> ShutdownReport {
        let budget = ShutdownBudget(timeout: configuration.shutdownTimeout)
        logger.info("shutting down", metadata: ["shutdown_timeout": "\(budget.timeout)"])
        progress(step: "draining HTTP requests and closing consumers")
        monitorGate?.stop()
        monitorService?.beginStop(closeBy: budget.drainDeadline)
        webhooks?.beginStop(closeBy: budget.drainDeadline)
        events?.stop()  // the server's shutdown below ends the streams themselves
        clusterView?.stop()
        alertStream?.stop()
        let cutOff = server?.shutdown(gracePeriod: budget.remaining(until: budget.drainDeadline)) ?? 0
        progress(step: "closing consumers") { $0.requestsCutOff = cutOff }
        let notClosed =
            (monitorService?.finishStop(until: budget.drainDeadline) ?? [])
            + (webhooks?.finishStop(until: budget.drainDeadline) ?? [])
        progress(step: "flushing the producer") { $0.consumersNotClosed = notClosed }
        let undelivered = producer?.close(timeout: budget.remaining(until: budget.flushDeadline)) ?? 0
        progress(step: "stopping the embedded cluster") { $0.recordsUndelivered = undelivered }
        cluster?.close()
        heapTrimmer.stop()
        let report = progress(step: "stopped")
        if !report.isClean {
            logger.error("shutdown abandoned work to keep within the shutdown timeout", metadata: report.metadata)
        }
        logger.info("gateway stopped")
        return report
    }

    /// What the shutdown is doing now and what it abandoned so far (for the watchdog).
    package var shutdownState: Logger.Metadata {
        shutdownProgress.withLock { state in state.report.metadata.merging(["step": .string(state.step)]) { $1 } }
    }

    @discardableResult
    private func progress(step: String, _ update: (inout ShutdownReport) -> Void = { _ in }) -> ShutdownReport {
        shutdownProgress.withLock { state in
            state.step = step
            update(&state.report)
            return state.report
        }
    }

    private func startKafka() throws -> String {
        if let servers = configuration.bootstrapServers { return servers }
        let cluster = try EmbeddedClusterLauncher.start(
            brokers: configuration.embeddedBrokers,
            partitions: Int32(configuration.embeddedPartitions),
            topics: [
                configuration.topic, configuration.alertsTopic, configuration.stateTopic,
                configuration.webhooks.deadLetterTopic,
            ],
            logger: logger
        )
        self.cluster = cluster
        return cluster.bootstrapServers
    }

    private func makeMonitor(producer: KafkaProducerPool) -> MonitorService {
        let settings = configuration.monitor
        return MonitorService(
            monitor: Monitor(configuration: settings.configuration),
            alerts: AlertStore(capacity: settings.alertStoreCapacity),
            producer: KafkaRecordProducer(pool: producer),
            alertsTopic: configuration.alertsTopic,
            logger: logger
        )
    }

    /// `--max-monitor-lag`, or by default a bound on the mock cluster (which deletes what a lagging
    /// monitor has not read) and none on another; nil: no bound.
    private func makeMonitorGate() -> MonitorLagGate? {
        let bound =
            configuration.monitor.maxLag ?? (onMockCluster ? GatewayConfiguration.MonitorSettings.embeddedMaxLag : 0)
        guard bound > 0 else { return nil }
        logger.info("ingestion waits for a lagging monitor", metadata: ["max_monitor_lag": "\(bound)"])
        // Only a gateway on its own in-process cluster can be sure that no other instance owns
        // the partitions its consumers do not (yet) own.
        return MonitorLagGate(bound: bound, coversUnownedPartitions: cluster != nil, logger: logger)
    }

    private func makeEventPublisher(metrics: GatewayMetrics, cluster: ClusterViewSource) -> EventPublisher {
        let stats = monitorService.map { [monitorGate, topicPartitions] in
            MonitorRoutes(service: $0, gate: monitorGate, topicPartitions: topicPartitions).statsDocument
        }
        var webhookHealth: (@Sendable () -> [UInt8]?)?
        if let webhooks { webhookHealth = { WebhookMetrics.healthDocument(webhooks.snapshot) } }
        return EventPublisher(
            sources: .init(
                stats: stats,
                alerts: monitorService?.alerts,
                ingest: metrics.ingest,
                cluster: { cluster.latestBytes() },
                webhooks: webhookHealth
            ),
            logger: logger
        )
    }

    private func makeClusterView(
        bootstrap: String,
        producer: KafkaProducerPool,
        metrics: GatewayMetrics
    ) -> ClusterViewSource {
        var inspector: ClusterInspector?
        do {
            inspector = try ClusterInspector(
                kafka: KafkaConfiguration(bootstrapServers: bootstrap, properties: configuration.kafkaProperties),
                group: configuration.monitor.groupID,
                groupTopic: configuration.topic,
                logger: logger
            )
        } catch {
            logger.warning("the cluster view has no Kafka client", metadata: ["error": "\(error)"])
        }
        return ClusterViewSource(
            parts: .init(
                inspector: inspector,
                embedded: cluster,
                monitor: monitorService,
                producerCount: { producer.deliveryHealth().count },
                queueDepth: { producer.queueDepth },
                clients: metrics.clients,
                faults: FaultLog(logger: logger),
                bootstrapServers: bootstrap,
                topic: configuration.topic,
                alertsTopic: configuration.alertsTopic,
                stateTopic: configuration.stateTopic,
                groupID: configuration.monitor.groupID
            ),
            logger: logger
        )
    }

    private func openChangelog(bootstrap: String) throws -> StateChangelog {
        try StateChangelog(
            kafka: KafkaConfiguration(bootstrapServers: bootstrap, properties: configuration.kafkaProperties),
            topic: configuration.stateTopic,
            inputTopic: configuration.topic,
            configuration: configuration.monitor.configuration,
            deliveryTimeout: configuration.deliveryTimeout,
            logger: logger
        )
    }

    /// The librdkafka properties of the gateway's consumer groups.
    private func consumerProperties() -> [String: String] {
        var properties = configuration.kafkaProperties
        if onMockCluster {
            // The mock cluster waits session.timeout.ms before a rebalance completes; the 45 s
            // default would leave a second instance idle that long.
            properties["session.timeout.ms"] = properties["session.timeout.ms"] ?? "6000"
            properties["heartbeat.interval.ms"] = properties["heartbeat.interval.ms"] ?? "500"
        }
        return properties
    }

    private func startConsumers(_ service: MonitorService, bootstrap: String, changelog: StateChangelog?) throws {
        try service.start(
            kafka: KafkaConfiguration(bootstrapServers: bootstrap, properties: consumerProperties()),
            topic: configuration.topic,
            groupID: configuration.monitor.groupID,
            consumers: configuration.monitor.consumers,
            changelog: changelog,
            stateDirectory: StateDirectory(root: configuration.monitor.stateDirectory(port: port)),
            checkpointInterval: configuration.monitor.checkpointInterval,
            threadNiceness: Int32(configuration.monitor.threadNiceness),
            // The mock cluster's topics start empty with the cluster and lose records only to its
            // size bound: a partition's records before the group's first read are expected too.
            uncommittedStartAtZero: onMockCluster
        )
    }

    private func clusterRoutes(_ source: ClusterViewSource) -> ClusterRoutes {
        let partitions = Int32(configuration.embeddedPartitions)
        let consumerNames =
            configuration.monitor.enabled ? (0..<configuration.monitor.consumers).map { "monitor-\($0)" } : []
        return ClusterRoutes(
            source: source,
            faults: cluster.map {
                ClusterFaults(
                    cluster: $0,
                    source: source,
                    log: source.faultLog,
                    monitor: monitorService,
                    groupIDs: [configuration.monitor.groupID]
                )
            },
            topics: [configuration.topic, configuration.alertsTopic, configuration.stateTopic].map {
                (name: $0, partitions: partitions)
            },
            consumerNames: consumerNames
        )
    }

    private func makeRouter(
        producer: KafkaProducerPool,
        metrics: GatewayMetrics,
        requestBudget: RequestBudgetGauge,
        clusterRoutes: ClusterRoutes
    ) -> HTTPRouter {
        let probe = ReadinessProbe { producer.brokerCheck(timeout: .seconds(2)) }
        var health = HealthRoutes(
            probe: probe,
            deliveryHealth: { producer.producerHealth() },
            deliveryReadiness: configuration.deliveryReadiness,
            bootstrapServers: producer.bootstrapServers,
            embedded: cluster != nil
        )
        if let restoring = monitorService?.restoring { health.restoring = { restoring.now } }
        let idempotency = IdempotencyStore(limits: configuration.idempotency)
        return GatewayRoutes(
            producer: KafkaRecordProducer(pool: producer),
            topic: configuration.topic,
            maxBatchItems: configuration.maxBatchItems,
            metrics: metrics,
            idempotency: idempotency,
            pendingRecords: PendingRecords(limit: configuration.maxPendingRecords),
            health: health,
            monitor: monitorService,
            authenticator: authenticator(metrics: metrics),
            logger: logger,
            events: events,
            requestBudget: requestBudget,
            cluster: clusterRoutes,
            monitorGate: monitorGate,
            topicPartitions: topicPartitions,
            alertStream: alertStream,
            webhooks: webhooks
        ).router()
    }

    private func authenticator(metrics: GatewayMetrics) -> Authenticator? {
        guard let keys = configuration.apiKeys else { return nil }
        logger.info(
            "API keys required",
            metadata: [
                "keys": "\(keys.entries.count)",
                "rate_limit_per_key": "\(configuration.rateLimitPerKey.map(String.init) ?? "none")",
            ]
        )
        return Authenticator(
            keys: keys,
            limiter: configuration.rateLimitPerKey.map { RateLimiter(ratePerSecond: $0) },
            metrics: metrics,
            logger: logger
        )
    }
}
