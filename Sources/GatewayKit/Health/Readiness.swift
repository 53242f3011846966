import Foundation

/// The body of `GET /readyz`: ready or not, and why not: the brokers that answered (or the
/// metadata error), and whether records are being acknowledged now (`DeliveryReadiness`).
struct Readiness: Sendable, Equatable {
    var isReady: Bool
    var bootstrapServers: String
    var embeddedCluster: Bool
    var brokers: [String]
    /// The metadata request's error.
    var error: String?
    /// Why not ready, in a sentence; nil when ready.
    var reason: String?
    var delivery: DeliveryVerdict
    /// Partitions whose monitor state is being restored now: ingestion is not held up by it, so it
    /// does not change readiness, but a caller sees why `/stats` is not complete yet.
    var monitorRestoring: [RestoreProgress.Entry] = []

    init(
        _ result: Result<[String], BrokerCheckFailure>,
        delivery: DeliveryVerdict = DeliveryVerdict(),
        bootstrapServers: String,
        embeddedCluster: Bool
    ) {
        self.bootstrapServers = bootstrapServers
        self.embeddedCluster = embeddedCluster
        self.delivery = delivery
        switch result {
        case .success(let brokers):
            self.brokers = brokers
            reason = delivery.reason
        case .failure(let error):
            brokers = []
            self.error = "\(error.name): \(error.message)"
            reason = (["no broker answers a metadata request: \(error.name)"] + [delivery.reason].compactMap { $0 })
                .joined(separator: "; ")
        }
        isReady = reason == nil
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
        let reason: String?
        let last_delivery_error: String?
        let last_success_seconds_ago: Double?
        let monitor_restoring: [RestoreProgress.Entry]?

        init(_ readiness: Readiness) {
            status = readiness.isReady ? "ready" : "not_ready"
            bootstrap_servers = readiness.bootstrapServers
            embedded_cluster = readiness.embeddedCluster
            brokers = readiness.brokers
            error = readiness.error
            reason = readiness.reason
            monitor_restoring = readiness.monitorRestoring.isEmpty ? nil : readiness.monitorRestoring
            last_delivery_error = readiness.delivery.lastError
            // Tenths of a second: enough for a human, and stable bytes for equal inputs.
            last_success_seconds_ago = readiness.delivery.lastSuccessAgo.map {
                (Double($0.components.seconds) * 10 + Double($0.components.attoseconds / 100_000_000_000_000_000))
                    .rounded() / 10
            }
        }
    }
}
