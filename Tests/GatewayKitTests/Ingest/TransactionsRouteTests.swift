import Foundation
import HTTPCore
import Testing

@testable import GatewayKit

/// `POST /transactions` driven in process over a stand-in producer that answers from another
/// thread: what a client sees for each kind of input and each producer outcome.
@Suite struct TransactionsRouteTests {
    @Test func singleTransaction_acceptedAfterTheReport_withPartitionAndOffset_andTheRecordKeyedByAccount() async throws
    {
        let harness = RouteHarness()
        let response = try #require(await harness.post(sampleTransaction()))
        #expect(response.status == 202)
        let json = try response.json()
        #expect(json["id"] as? String == "tx-0001")
        #expect(json["status"] as? String == "accepted")
        #expect(json["partition"] is Int && json["offset"] as? Int == 0)
        let record = try #require(harness.producer.produced.first)
        #expect(record.topic == "transactions")
        #expect(record.key == Array("acc-42".utf8))
        #expect(String(decoding: record.value, as: UTF8.self).contains(#""amount":"129.9""#))
        // A request without traceparent starts a trace: the record carries it.
        #expect(record.headers.map(\.name) == ["content-type", "request-id", "traceparent"])
    }

    @Test func ndjsonBatch_answersPerItemInOrder_andProducesOnlyTheValidOnes() async throws {
        let harness = RouteHarness()
        let body =
            [
                sampleTransaction(id: "b-1", account: "acc-1"), sampleTransaction(id: "b-2", amount: "-5"),
                "{not json", sampleTransaction(id: "b-4", account: "acc-1"),
            ].joined(separator: "\n") + "\n"
        let response = try #require(await harness.post(body, contentType: "application/x-ndjson"))
        #expect(response.status == 200)
        let items = try response.jsonArray()
        #expect(
            items.map { $0["status"] as? String ?? "\($0["status"] as? Int ?? 0)" } == [
                "accepted", "422", "400", "accepted",
            ]
        )
        #expect(items[0]["partition"] as? Int == items[3]["partition"] as? Int)
        #expect(harness.producer.produced.count == 2)
    }

    @Test func jsonArray_keepsRequestOrder_evenWhenReportsArriveLate() async throws {
        let harness = RouteHarness(.hold)
        let body =
            "[" + (1...5).map { sampleTransaction(id: "a-\($0)", account: "acc-\($0)") }.joined(separator: ",") + "]"
        async let answer = harness.post(body)
        try await waitUntil { harness.producer.queueDepth == 5 }
        harness.producer.releaseHeld()
        let response = try #require(await answer)
        #expect(response.status == 200)
        #expect(try response.jsonArray().compactMap { $0["id"] as? String } == ["a-1", "a-2", "a-3", "a-4", "a-5"])
    }

    @Test func invalidFields_get422NamingEveryBadField_inContractOrder() async throws {
        let harness = RouteHarness()
        let response = try #require(
            await harness.post(
                #"{"id":"bad id!","amount":"12.34567","currency":"brl","country":"Brazil","channel":"carrier-pigeon","nope":1}"#
            )
        )
        #expect(response.status == 422)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let fields = try #require(try response.json()["errors"] as? [[String: Any]]).compactMap {
            $0["field"] as? String
        }
        #expect(fields == ["id", "account_id", "amount", "currency", "country", "channel", "nope"])
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func malformedJSON_emptyBody_andWrongMediaType_getTheirProblems() async throws {
        let harness = RouteHarness()
        let malformed = try #require(await harness.post(#"{"id": "x", "#))
        #expect(malformed.status == 400)
        #expect(try malformed.json()["title"] as? String == "Malformed JSON")
        #expect(try #require(await harness.post("  \n")).status == 400)
        let form = try #require(await harness.post("id=1", contentType: "application/x-www-form-urlencoded"))
        #expect(form.status == 415)
        #expect(form.text.contains("application/x-ndjson"))
        // Media types are case-insensitive and take parameters (RFC 9110 §8.3.1).
        #expect(
            try #require(await harness.post(sampleTransaction(), contentType: "Application/JSON; charset=utf-8")).status
                == 202
        )
    }

    @Test func batchOverTheLimit_gets413_andProducesNothing() async throws {
        let harness = RouteHarness(maxBatchItems: 2)
        let body = "[" + (1...3).map { sampleTransaction(id: "l-\($0)") }.joined(separator: ",") + "]"
        let response = try #require(await harness.post(body))
        #expect(response.status == 413)
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func preferRespondAsync_answersQueuedBeforeTheReport() async throws {
        let harness = RouteHarness(.hold)
        let response = try #require(
            await harness.post(sampleTransaction(id: "async-1"), headers: [("Prefer", "wait=5, respond-async")])
        )
        #expect(response.status == 202)
        #expect(response.headers["Preference-Applied"] == "respond-async")
        let json = try response.json()
        #expect(json["status"] as? String == "queued")
        #expect(json["offset"] == nil)
        #expect(harness.producer.produced.count == 1)
    }

    @Test func queueFull_gets503WithRetryAfter_namingTheKafkaError() async throws {
        let harness = RouteHarness(.queueFull)
        let response = try #require(await harness.post(sampleTransaction()))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "1")
        #expect(response.text.contains("_QUEUE_FULL"))
    }

    @Test func deliveryTimedOut_gets503WithRetryAfter_perItemInABatch() async throws {
        let harness = RouteHarness(.timeOut)
        let single = try #require(await harness.post(sampleTransaction()))
        #expect(single.status == 503)
        #expect(single.headers["Retry-After"] == "1")
        #expect(single.text.contains("_MSG_TIMED_OUT"))
        let batch = try #require(
            await harness.post(
                sampleTransaction(id: "t-1") + "\n" + sampleTransaction(id: "t-2"),
                contentType: "application/x-ndjson"
            )
        )
        #expect(batch.status == 200)
        #expect(try batch.jsonArray().map { $0["status"] as? Int } == [503, 503])
    }

    @Test func queueFullInABatch_answersEachRecord503_keepsTheOtherItems_andGivesTheRoomBack() async throws {
        let harness = RouteHarness(.queueFull)
        let body = [sampleTransaction(id: "q-1"), "{not json", sampleTransaction(id: "q-3")].joined(separator: "\n")
        let response = try #require(await harness.post(body, contentType: "application/x-ndjson"))
        #expect(response.status == 200)
        let items = try response.jsonArray()
        #expect(items.map { $0["status"] as? Int } == [503, 400, 503])
        #expect((items[0]["detail"] as? String)?.contains("_QUEUE_FULL") == true)
        #expect(harness.pendingRecords.current == 0)
        #expect(await harness.metricValue(#"gateway_kafka_delivery_errors_total{error="_QUEUE_FULL"}"#) == 2)
    }

    @Test func noReport_noAnswer_untilTheReportComes() async throws {
        let harness = RouteHarness(.hold)
        #expect(
            await harness.client.execute(
                .post,
                "/transactions",
                headers: [("Content-Type", "application/json")],
                body: sampleTransaction(),
                timeout: .milliseconds(200)
            ) == nil
        )
        async let answer = harness.post(sampleTransaction(id: "tx-0002"))
        try await waitUntil { harness.producer.queueDepth == 2 }
        harness.producer.releaseHeld()
        #expect(try #require(await answer).status == 202)
    }

    @Test func sameBadRequest_sameBytes() async throws {
        let harness = RouteHarness()
        let bad = #"{"id":"bad id!","amount":"-1","nope":true}"#
        let first = try #require(await harness.post(bad))
        for _ in 0..<20 {
            #expect(try #require(await harness.post(bad)).body == first.body)
        }
    }

    @Test func unknownPath_404_wrongMethod_405WithAllow() async throws {
        let harness = RouteHarness()
        #expect(try #require(await harness.client.execute(.get, "/nope")).status == 404)
        let wrong = try #require(await harness.client.execute(.get, "/transactions"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "POST")
    }
}

/// Waits for `condition`, checking every millisecond, for at most `timeout`.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut() }
        try await Task.sleep(for: .milliseconds(1))
    }
}

struct WaitTimedOut: Error {}
