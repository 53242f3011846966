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
        if let monitor { body += Array(MonitorMetrics.render(monitor).utf8) }
        responder.respond(HTTPResponse(status: 200, headers: Self.contentType, body: body))
    }
}
