import Foundation
import HTTPCore
import KafkaBridge

/// `GET /healthz` (the process answers) and `GET /readyz` (a broker answers the producer now).
struct HealthRoutes: Sendable {
    let producer: KafkaProducerPool
    let embedded: Bool
    let readinessTimeout: Duration

    func healthz(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(.json(200, Array(#"{"status":"ok"}"#.utf8)))
    }

    /// The metadata request blocks, so it runs off the event loop and answers from there.
    func readyz(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let producer = self.producer
        let embedded = self.embedded
        let timeout = readinessTimeout
        DispatchQueue.global().async {
            let result = producer.checkBrokers(timeout: timeout)
            let body: Readiness
            switch result {
            case .success(let brokers):
                body = Readiness(status: "ready", bootstrapServers: producer.bootstrapServers, embeddedCluster: embedded, brokers: brokers, error: nil)
            case .failure(let error):
                body = Readiness(status: "not_ready", bootstrapServers: producer.bootstrapServers, embeddedCluster: embedded, brokers: [], error: "\(error.name): \(error.message)")
            }
            let json = (try? Array(Self.makeEncoder().encode(body))) ?? []
            let ready = body.status == "ready"
            responder.respond(.json(ready ? 200 : 503, json, headers: ready ? HTTPHeaders() : GatewayProblems.retryAfter))
        }
    }

    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    struct Readiness: Encodable {
        var status: String
        var bootstrapServers: String
        var embeddedCluster: Bool
        var brokers: [String]
        var error: String?
    }
}
