import HTTPCore
import Testing

@testable import GatewayKit

/// `--max-pending-records`: records awaiting a delivery report are bounded; past the bound a
/// POST gets 503 problem+json with Retry-After at once, nothing is produced, and /metrics counts it.
/// The stand-in producer holds its reports, as brokers slower than the clients do.
struct OverloadTests {
    @Test func atTheBound_aPostGets503AtOnce_producesNothing_andIsCounted() async throws {
        let harness = RouteHarness(.hold, maxBatchItems: 2, maxPendingRecords: 3)
        let held = (1...3).map { index in
            Task { await harness.post(sampleTransaction(id: "held-\(index)", account: "acc-\(index)")) }
        }
        try await waitUntil { harness.producer.queueDepth == 3 }

        let refused = try #require(await harness.post(sampleTransaction(id: "over")))
        #expect(refused.status == 503)
        #expect(refused.headers["Retry-After"] == "1")
        #expect(refused.headers["Content-Type"] == "application/problem+json")
        #expect(try refused.json()["title"] as? String == "Gateway overloaded")
        #expect(harness.producer.produced.count == 3)
        #expect(await harness.metricValue("gateway_pending_records") == 3)
        #expect(await harness.metricValue("gateway_pending_records_limit") == 3)
        #expect(await harness.metricValue("gateway_overload_rejections_total") == 1)

        // Once the reports come, there is room again.
        harness.producer.releaseHeld()
        for request in held { #expect(await request.value?.status == 202) }
        #expect(harness.pendingRecords.current == 0)
        harness.producer.setBehaviour(.accept)
        #expect(try #require(await harness.post(sampleTransaction(id: "after"))).status == 202)
        #expect(await harness.metricValue("gateway_overload_rejections_total") == 1)
    }

    @Test func aBatch_isAdmittedWhole_orRefusedWhole_countingOnlyItsValidItems() async throws {
        let harness = RouteHarness(.hold, maxBatchItems: 2, maxPendingRecords: 3)
        let first = Task {
            await harness.post(
                sampleTransaction(id: "b-1") + "\n" + sampleTransaction(id: "b-2"),
                contentType: "application/x-ndjson"
            )
        }
        try await waitUntil { harness.producer.queueDepth == 2 }

        let twoMore = try #require(
            await harness.post(
                sampleTransaction(id: "b-3") + "\n" + sampleTransaction(id: "b-4"),
                contentType: "application/x-ndjson"
            )
        )
        #expect(twoMore.status == 503)
        #expect(twoMore.headers["Retry-After"] == "1")
        #expect(harness.producer.produced.count == 2, "nothing of a refused batch is produced")

        // One valid item and one invalid one need room for one record only: admitted.
        let oneValid = Task {
            await harness.post(
                sampleTransaction(id: "b-5") + "\n" + sampleTransaction(id: "b-6", amount: "-1"),
                contentType: "application/x-ndjson"
            )
        }
        try await waitUntil { harness.producer.queueDepth == 3 }
        harness.producer.releaseHeld()
        #expect(await first.value?.status == 200)
        let answer = try #require(await oneValid.value)
        #expect(answer.status == 200)
        #expect(try answer.jsonArray().map { "\($0["status"] ?? "")" } == ["accepted", "422"])
        #expect(harness.pendingRecords.current == 0)
    }

    @Test func queuedAnswers_holdTheirRoomUntilTheReport() async throws {
        let harness = RouteHarness(.hold, maxPendingRecords: 1)
        let queued = try #require(
            await harness.post(sampleTransaction(id: "q-1"), headers: [("Prefer", "respond-async")])
        )
        #expect(queued.status == 202)
        #expect(
            try #require(await harness.post(sampleTransaction(id: "q-2"), headers: [("Prefer", "respond-async")]))
                .status == 503
        )
        harness.producer.releaseHeld()
        try await waitUntil { harness.pendingRecords.current == 0 }
        #expect(
            try #require(await harness.post(sampleTransaction(id: "q-3"), headers: [("Prefer", "respond-async")]))
                .status == 202
        )
    }

    @Test func failedDeliveriesAndRefusedProduces_giveTheirRoomBack() async throws {
        for behaviour in [StandInProducer.Behaviour.timeOut, .queueFull] {
            let harness = RouteHarness(behaviour, maxPendingRecords: 1)
            for index in 0..<5 {
                let response = try #require(await harness.post(sampleTransaction(id: "f-\(index)")))
                #expect(response.status == 503)
                #expect(
                    try response.json()["title"] as? String == "Kafka unavailable",
                    "\(behaviour): the bound must not fill up"
                )
            }
            #expect(harness.pendingRecords.current == 0)
            #expect(await harness.metricValue("gateway_overload_rejections_total") == 0)
        }
    }

    @Test func anIdempotentRequestRefusedAtTheBound_canBeRetriedWithItsKey() async throws {
        let harness = RouteHarness(.hold, maxPendingRecords: 1)
        let held = Task { await harness.post(sampleTransaction(id: "i-1")) }
        try await waitUntil { harness.producer.queueDepth == 1 }
        let key = [("Idempotency-Key", "\"k-overload\"")]
        #expect(try #require(await harness.post(sampleTransaction(id: "i-2"), headers: key)).status == 503)
        harness.producer.releaseHeld()
        #expect(await held.value?.status == 202)
        harness.producer.setBehaviour(.accept)
        let retried = try #require(await harness.post(sampleTransaction(id: "i-2"), headers: key))
        #expect(retried.status == 202)
        #expect(retried.headers["Idempotent-Replayed"] == nil)
    }

    @Test func maxPendingRecordsBelowTheLargestBatch_isAConfigurationProblem() {
        var configuration = GatewayConfiguration()
        configuration.maxBatchItems = 1000
        configuration.maxPendingRecords = 999
        #expect(configuration.problems.contains { $0.contains("--max-pending-records") })
        configuration.maxPendingRecords = 1000
        #expect(configuration.problems.isEmpty)
    }
}
