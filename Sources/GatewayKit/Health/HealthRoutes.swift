import HTTPCore

/// `GET /healthz` (the process answers) and `GET /readyz` (produce works now: a broker answers the
/// producer's metadata request, and deliveries are not all failing; see `DeliveryReadiness`).
struct HealthRoutes: Sendable {
    typealias DeliveryHealth = @Sendable () -> [ProducerHealth]

    let probe: ReadinessProbe
    /// The producers' recent outcomes (the producer pool's `producerHealth`), read per probe: a few
    /// atomic loads and one uncontended lock per producer.
    let deliveryHealth: DeliveryHealth
    let deliveryReadiness: DeliveryReadiness
    let bootstrapServers: String
    let embedded: Bool
    /// The monitor's partitions being restored now (none without a monitor).
    var restoring: @Sendable () -> [RestoreProgress.Entry] = { [] }

    func healthz(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(.json(.ok, Array(#"{"status":"ok"}"#.utf8)))
    }

    /// The metadata request blocks, so the probe runs it off the event loop and answers from there.
    func readyz(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let bootstrapServers = self.bootstrapServers
        let embedded = self.embedded
        let deliveryHealth = self.deliveryHealth
        let deliveryReadiness = self.deliveryReadiness
        let restoring = self.restoring
        probe.probe { result in
            // Read after the metadata check, so a probe never answers with outcomes older than it.
            let delivery = deliveryReadiness.judge(deliveryHealth())
            var readiness = Readiness(
                result,
                delivery: delivery,
                bootstrapServers: bootstrapServers,
                embeddedCluster: embedded
            )
            readiness.monitorRestoring = restoring()
            responder.respond(
                .json(
                    readiness.isReady ? 200 : 503,
                    readiness.jsonBytes(),
                    headers: readiness.isReady ? HTTPHeaders() : GatewayProblems.retryAfter
                )
            )
        }
    }
}
