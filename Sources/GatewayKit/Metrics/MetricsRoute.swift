import HTTPCore

/// `GET /metrics`: the registry's series (HTTP, producer, idempotency keys) followed by the monitor's, read now.
struct MetricsRoute: Sendable {
    let producer: any RecordProducer
    let metrics: GatewayMetrics
    let idempotency: IdempotencyStore
    let pendingRecords: PendingRecords
    let monitor: MonitorService?
    var requestBudget: RequestBudgetGauge? = nil
    var monitorGate: MonitorLagGate? = nil
    var webhooks: WebhookDispatcher? = nil

    static let contentType = HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])

    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        metrics.setQueueDepth(producer.queueDepth)
        var body = metrics.render()
        body += Array(IdempotencyMetrics.render(idempotency.statistics()).utf8)
        body += Array(Self.replacementsText(producer.replacements).utf8)
        body += Array(Self.pendingRecordsText(pendingRecords).utf8)
        if let requestBudget { body += Array(requestBudget.text.utf8) }
        if let monitor { body += Array(MonitorMetrics.render(monitor).utf8) }
        if let monitorGate { body += Array(Self.monitorGateText(monitorGate).utf8) }
        if let webhooks { body += Array(WebhookMetrics.render(webhooks.snapshot).utf8) }
        responder.respond(HTTPResponse(status: .ok, headers: Self.contentType, body: body))
    }

    /// Read from the pool at scrape time (the pool counts; KafkaBridge knows no Prometheus).
    static func replacementsText(_ replacements: Int) -> String {
        var text = PrometheusText()
        text.family(
            "gateway_kafka_producer_replacements_total",
            type: "counter",
            help:
                "Kafka producers replaced by a fresh one because they could not recover (fatal error, producer-id loop)",
            samples: [([], Double(replacements))]
        )
        return text.text
    }

    /// `--max-monitor-lag`: whether ingestion waits for the monitor now, and how often it did.
    static func monitorGateText(_ gate: MonitorLagGate) -> String {
        let snapshot = gate.snapshot
        var text = PrometheusText()
        text.family(
            "gateway_monitor_backpressure",
            type: "gauge",
            help:
                "1 while POST /transactions answers 503 because the monitor trails a partition by more than --max-monitor-lag",
            samples: [([], snapshot.refusing ? 1 : 0)]
        )
        text.family(
            "gateway_monitor_backpressure_lag",
            type: "gauge",
            help:
                "The monitor's largest lag over the partitions at the last sample, in records (what --max-monitor-lag bounds)",
            samples: [([], Double(snapshot.lag))]
        )
        text.family(
            "gateway_monitor_max_lag",
            type: "gauge",
            help: "--max-monitor-lag in records",
            samples: [([], Double(gate.bound))]
        )
        text.family(
            "gateway_monitor_backpressure_rejections_total",
            type: "counter",
            help: "POST /transactions answered 503 because the monitor was behind",
            samples: [([], Double(snapshot.refusals))]
        )
        text.family(
            "gateway_monitor_backpressure_episodes_total",
            type: "counter",
            help: "Times ingestion started waiting for the monitor",
            samples: [([], Double(snapshot.episodes))]
        )
        return text.text
    }

    /// The overload bound: read at scrape time from its atomics.
    static func pendingRecordsText(_ pending: PendingRecords) -> String {
        var text = PrometheusText()
        text.family(
            "gateway_pending_records",
            type: "gauge",
            help: "Records handed to Kafka and awaiting their delivery report (bounded by --max-pending-records)",
            samples: [([], Double(pending.current))]
        )
        text.family(
            "gateway_pending_records_limit",
            type: "gauge",
            help: "--max-pending-records",
            samples: [([], Double(pending.limit))]
        )
        text.family(
            "gateway_overload_rejections_total",
            type: "counter",
            help: "POST /transactions answered 503 at once because the pending records were at their bound",
            samples: [([], Double(pending.refusals))]
        )
        return text.text
    }
}
