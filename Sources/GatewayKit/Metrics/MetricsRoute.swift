import HTTPCore

/// `GET /metrics`: the registry's series (HTTP, producer, idempotency keys) followed by the monitor's, read now.
struct MetricsRoute: Sendable {
    let producer: any RecordProducer
    let metrics: GatewayMetrics
    let idempotency: IdempotencyStore
    let monitor: MonitorService?

    static let contentType = HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])

    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        metrics.setQueueDepth(producer.queueDepth)
        metrics.setIdempotencyEntries(idempotency.countNow())
        var body = metrics.render()
        body += Array(Self.replacementsText(producer.replacements).utf8)
        if let monitor { body += Array(MonitorMetrics.render(monitor).utf8) }
        responder.respond(HTTPResponse(status: 200, headers: Self.contentType, body: body))
    }

    /// Read from the pool at scrape time (the pool counts; KafkaBridge knows no Prometheus).
    static func replacementsText(_ replacements: Int) -> String {
        var text = PrometheusText()
        text.family("gateway_kafka_producer_replacements_total", type: "counter",
                    help: "Kafka producers replaced by a fresh one because they could not recover (fatal error, producer-id loop)",
                    samples: [([], Double(replacements))])
        return text.text
    }
}
