import CoreSupport
import Foundation
import HTTPCore
import HTTPCoreTesting
import Logging

@testable import GatewayKit

/// The gateway's real routing table over a stand-in producer, driven in process.
struct RouteHarness {
    let producer: StandInProducer
    let client: HTTPTestClient
    let metrics: GatewayMetrics
    let idempotency: IdempotencyStore
    let pendingRecords: PendingRecords

    /// `clock`: the idempotency store's monotonic nanoseconds (a `TestClock` to expire keys).
    init(
        _ behaviour: StandInProducer.Behaviour = .accept,
        maxBatchItems: Int = 1000,
        maxPendingRecords: Int = GatewayConfiguration().maxPendingRecords,
        idempotency limits: IdempotencyLimits = IdempotencyLimits(),
        clock: @escaping @Sendable () -> UInt64 = MonotonicClock.now,
        readiness: @escaping ReadinessProbe.Check = { .success(["127.0.0.1:9092"]) },
        deliveryHealth: @escaping HealthRoutes.DeliveryHealth = { [] },
        authenticator: (GatewayMetrics) -> Authenticator? = { _ in nil },
        events: (GatewayMetrics) -> EventPublisher? = { _ in nil }
    ) {
        producer = StandInProducer(behaviour)
        metrics = GatewayMetrics(knownRoutes: GatewayRoutes.knownRoutes)
        idempotency = IdempotencyStore(limits: limits, clock: clock)
        pendingRecords = PendingRecords(limit: maxPendingRecords)
        let health = HealthRoutes(
            probe: ReadinessProbe(freshness: .zero, check: readiness),
            deliveryHealth: deliveryHealth,
            deliveryReadiness: DeliveryReadiness(deliveryTimeout: .seconds(10)),
            bootstrapServers: "127.0.0.1:9092",
            embedded: false
        )
        let routes = GatewayRoutes(
            producer: producer,
            topic: "transactions",
            maxBatchItems: maxBatchItems,
            metrics: metrics,
            idempotency: idempotency,
            pendingRecords: pendingRecords,
            health: health,
            monitor: nil,
            authenticator: authenticator(metrics),
            logger: Logger(label: "test"),
            events: events(metrics)
        )
        client = HTTPTestClient(routes.router())
    }

    func post(
        _ body: String,
        contentType: String = "application/json",
        headers: [(String, String)] = []
    ) async -> HTTPResponse? {
        await client.execute(.post, "/transactions", headers: [("Content-Type", contentType)] + headers, body: body)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
    }

    func jsonArray() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]] ?? []
    }
}

/// The README's example transaction, with a few fields to vary.
func sampleTransaction(
    id: String = "tx-0001",
    account: String = "acc-42",
    amount: String = "129.90",
    extra: String = ""
) -> String {
    #"{"id":"\#(id)","account_id":"\#(account)","amount":"\#(amount)","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"\#(extra)}"#
}
