import HTTPCore
import KafkaBridge

/// `GET /healthz` (the process answers) and `GET /readyz` (a broker answers the producer now).
struct HealthRoutes: Sendable {
    let probe: ReadinessProbe
    let bootstrapServers: String
    let embedded: Bool

    func healthz(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(.json(200, Array(#"{"status":"ok"}"#.utf8)))
    }

    /// The metadata request blocks, so the probe runs it off the event loop and answers from there.
    func readyz(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let bootstrapServers = self.bootstrapServers
        let embedded = self.embedded
        probe.probe { result in
            let readiness = Readiness(result, bootstrapServers: bootstrapServers, embeddedCluster: embedded)
            responder.respond(.json(readiness.isReady ? 200 : 503, readiness.jsonBytes(),
                                    headers: readiness.isReady ? HTTPHeaders() : GatewayProblems.retryAfter))
        }
    }
}
