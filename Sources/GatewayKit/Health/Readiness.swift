import Foundation
import KafkaBridge

/// The body of `GET /readyz`: ready or not, the brokers that answered or why none did.
struct Readiness: Sendable, Equatable {
    var isReady: Bool
    var bootstrapServers: String
    var embeddedCluster: Bool
    var brokers: [String]
    var error: String?

    init(_ result: Result<[String], KafkaError>, bootstrapServers: String, embeddedCluster: Bool) {
        self.bootstrapServers = bootstrapServers
        self.embeddedCluster = embeddedCluster
        switch result {
        case .success(let brokers):
            isReady = true
            self.brokers = brokers
        case .failure(let error):
            isReady = false
            brokers = []
            self.error = "\(error.name): \(error.message)"
        }
    }

    func jsonBytes() -> [UInt8] {
        StableJSON.bytes(Body(self)) ?? []
    }

    private struct Body: Encodable {
        let status: String
        let bootstrap_servers: String
        let embedded_cluster: Bool
        let brokers: [String]
        let error: String?

        init(_ readiness: Readiness) {
            status = readiness.isReady ? "ready" : "not_ready"
            bootstrap_servers = readiness.bootstrapServers
            embedded_cluster = readiness.embeddedCluster
            brokers = readiness.brokers
            error = readiness.error
        }
    }
}
