import HTTPCore
import Logging

/// The gateway's routing table, built from its parts. The service builds it over the real producer;
/// route tests build the same table over a stand-in producer and drive it in process.
struct GatewayRoutes {
    var producer: any RecordProducer
    var topic: String
    var maxBatchItems: Int
    var metrics: GatewayMetrics
    var idempotency: IdempotencyStore
    var pendingRecords: PendingRecords
    var health: HealthRoutes
    var monitor: MonitorService?
    /// nil: every route is open. Probes and scrapers (`/healthz`, `/readyz`, `/metrics`) always are.
    var authenticator: Authenticator?
    var logger: Logger
    /// The live dashboard (`GET /`, `GET /events`); nil: not served.
    var events: EventPublisher? = nil
    /// The HTTP server's request budget in `/metrics`; nil: not shown (route tests have no server).
    var requestBudget: RequestBudgetGauge? = nil
    /// `GET /cluster`, `/cluster.html` and the embedded cluster's faults; nil: not served.
    var cluster: ClusterRoutes? = nil
    /// Streaming `POST /transactions`: lines waiting for their result before the request stops being read.
    var maxStreamUnanswered = TransactionsRoute.defaultMaxStreamUnanswered
    /// Ingestion waits for a lagging monitor (`--max-monitor-lag`); nil: no bound.
    var monitorGate: MonitorLagGate? = nil
    /// Partitions of the transactions topic (nil: unknown), for `/stats` while the monitor joins.
    var topicPartitions: Int? = nil
    /// `GET /alerts/stream`; nil: not served (monitoring off).
    var alertStream: AlertStreamPublisher? = nil
    /// The alert webhooks' counters in `/metrics`; nil: no webhooks.
    var webhooks: WebhookDispatcher? = nil

    func router() -> HTTPRouter {
        var transactions = TransactionsRoute(
            producer: producer,
            topic: topic,
            maxBatchItems: maxBatchItems,
            metrics: metrics,
            idempotency: idempotency,
            pending: pendingRecords,
            monitorGate: monitorGate,
            logger: logger
        )
        transactions.maxStreamUnanswered = maxStreamUnanswered
        var router = HTTPRouter()
        router.add(.post, "/transactions", protected(transactions.handle))
        router.add(.get, "/healthz", health.healthz)
        router.add(.get, "/readyz", health.readyz)
        router.add(
            .get,
            "/metrics",
            MetricsRoute(
                producer: producer,
                metrics: metrics,
                idempotency: idempotency,
                pendingRecords: pendingRecords,
                monitor: monitor,
                requestBudget: requestBudget,
                monitorGate: monitorGate,
                webhooks: webhooks
            ).handle
        )
        if let monitor {
            let routes = MonitorRoutes(service: monitor, gate: monitorGate, topicPartitions: topicPartitions)
            router.add(.get, "/stats", protected(routes.stats))
            router.add(.get, "/alerts", protected(routes.alerts))
        }
        if let alertStream {
            router.add(
                .get,
                "/alerts/stream",
                protected(AlertStreamRoute(publisher: alertStream).handle, queryToken: true)
            )
        }
        if let events {
            let dashboard = DashboardRoutes(publisher: events)
            router.add(.get, "/", dashboard.page)  // the page holds no data; /events does
            router.add(.get, "/events", protected(dashboard.events, queryToken: true))
        }
        cluster?.register(into: &router) { protected($0) }
        return router
    }

    private func protected(_ handler: @escaping HTTPHandler, queryToken: Bool = false) -> HTTPHandler {
        authenticator?.protect(handler, acceptsQueryToken: queryToken) ?? handler
    }

    static let knownRoutes: Set<String> = [
        "/transactions", "/healthz", "/readyz", "/metrics", "/alerts", "/alerts/stream", "/stats", "/", "/events",
        "/cluster", "/cluster.html",
    ]
}
