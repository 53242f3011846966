import Foundation
import Testing

/// The built gateway with its embedded cluster, driven over HTTP, checked with kcat: only what needs
/// real processes and brokers (records in Kafka, the real partitioner, librdkafka timeouts, the
/// server's 504 sweep; signals are in ShutdownEndToEndTests). Media types, validation, batches, `Prefer` and the 503 mapping are
/// covered in process by GatewayKitTests' route tests.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct IngestionEndToEndTests {
    @Test func singleTransaction_isAcknowledgedAndReadableWithKcat() async throws {
        let gateway = try GatewayProcess.start(["--consumers", "0"])
        defer { gateway.stop() }
        let response = try await HTTPClient.postJSON(
            "\(gateway.baseURL)/transactions",
            sampleTransaction(),
            headers: ["X-Request-Id": "req-e2e-1"]
        )
        #expect(response.status == 202, "\(response.text)")
        let json = try response.json()
        #expect(json["id"] as? String == "tx-0001")
        #expect(json["status"] as? String == "accepted")
        #expect(json["topic"] as? String == "transactions")
        let partition = try #require(json["partition"] as? Int)
        let offset = try #require(json["offset"] as? Int)

        let records = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions", count: 1)
        let record = try #require(records.first)
        #expect(record.key == "acc-42")
        #expect(record.partition == partition)
        #expect(record.offset == offset)
        #expect(record.headers.contains("content-type=application/json"))
        #expect(record.headers.contains("request-id=req-e2e-1"))
        let value = try #require(JSONSerialization.jsonObject(with: Data(record.value.utf8)) as? [String: Any])
        #expect(value["amount"] as? String == "129.9")
        #expect(value["account_id"] as? String == "acc-42")
        #expect(value["channel"] as? String == "card_present")
        #expect(value["received_at"] is String)
        #expect(value["timestamp"] as? String == "2026-11-25T16:20:00.000Z")

        let ready = try await HTTPClient.send("GET", "\(gateway.baseURL)/readyz")
        #expect(ready.status == 200, "\(ready.text)")
        #expect(try ready.json()["bootstrap_servers"] as? String == gateway.bootstrapServers)
        #expect(try ready.json()["embedded_cluster"] as? Bool == true)
    }

    @Test func batches_answerPerItemInOrder_andProduceTheValidOnes() async throws {
        let gateway = try GatewayProcess.start(["--consumers", "0"])
        defer { gateway.stop() }
        let ndjson =
            [
                sampleTransaction(id: "b-1", account: "acc-1"),
                sampleTransaction(id: "b-2", account: "acc-2", amount: "-5"),
                "{not json",
                sampleTransaction(id: "b-4", account: "acc-1"),
            ].joined(separator: "\n") + "\n"
        let response = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: ndjson,
            headers: ["Content-Type": "application/x-ndjson"]
        )
        #expect(response.status == 200, "\(response.text)")
        let items = try response.jsonArray()
        #expect(items.count == 4)
        #expect(items[0]["status"] as? String == "accepted")
        #expect(items[1]["status"] as? Int == 422)
        #expect(items[2]["status"] as? Int == 400)
        #expect(items[3]["status"] as? String == "accepted")
        #expect(items[0]["partition"] as? Int == items[3]["partition"] as? Int)

        let array =
            "[" + sampleTransaction(id: "a-1", account: "acc-3") + "," + sampleTransaction(id: "a-2", account: "acc-3")
            + "]"
        let arrayResponse = try await HTTPClient.postJSON("\(gateway.baseURL)/transactions", array)
        #expect(arrayResponse.status == 200)
        #expect(try arrayResponse.jsonArray().compactMap { $0["id"] as? String } == ["a-1", "a-2"])

        let records = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions", count: 4)
        #expect(
            Set(records.compactMap { ($0.value.firstMatch(of: /"id":"([^"]+)"/)?.1).map(String.init) }) == [
                "b-1", "b-4", "a-1", "a-2",
            ]
        )
    }

    @Test func oneAccount_alwaysLandsOnOnePartition() async throws {
        let gateway = try GatewayProcess.start(["--consumers", "0"])
        defer { gateway.stop() }
        var partitionsByAccount: [String: Set<Int>] = [:]
        for i in 0..<24 {
            let account = "acc-\(i % 6)"
            let response = try await HTTPClient.postJSON(
                "\(gateway.baseURL)/transactions",
                sampleTransaction(id: "p-\(i)", account: account)
            )
            #expect(response.status == 202)
            partitionsByAccount[account, default: []].insert(try #require(try response.json()["partition"] as? Int))
        }
        #expect(partitionsByAccount.values.allSatisfy { $0.count == 1 })
        let records = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions", count: 24)
        #expect(records.count == 24)
        for record in records {
            #expect(partitionsByAccount[record.key] == [record.partition])
        }
    }

    @Test func kafkaUnreachable_gives503WithRetryAfter_andNotReady() async throws {
        // Port 1 on loopback: nothing listens there, so no broker is ever reachable.
        let gateway = try GatewayProcess.start([
            "--consumers", "0", "--bootstrap-servers", "127.0.0.1:1", "--delivery-timeout-ms", "1500",
        ])
        defer { gateway.stop() }
        let response = try await HTTPClient.postJSON("\(gateway.baseURL)/transactions", sampleTransaction())
        #expect(response.status == 503, "\(response.text)")
        #expect(response.header("Retry-After") != nil)
        #expect(
            response.text.contains("_MSG_TIMED_OUT") || response.text.contains("_TRANSPORT")
                || response.text.contains("_ALL_BROKERS_DOWN")
        )
        let ready = try await HTTPClient.send("GET", "\(gateway.baseURL)/readyz")
        #expect(ready.status == 503)
        let health = try await HTTPClient.send("GET", "\(gateway.baseURL)/healthz")
        #expect(health.status == 200)
    }

    @Test func noDeliveryReportInTime_gives504_andTheConnectionStaysUsable() async throws {
        // No broker, a long delivery timeout and a short response timeout: the report cannot arrive in time.
        let gateway = try GatewayProcess.start([
            "--consumers", "0", "--bootstrap-servers", "127.0.0.1:1",
            "--delivery-timeout-ms", "20000", "--response-timeout-ms", "500",
            // The record stays queued: a short shutdown keeps the stop quick.
            "--shutdown-timeout", "2",
        ])
        defer { gateway.stop() }
        let response = try await HTTPClient.postJSON("\(gateway.baseURL)/transactions", sampleTransaction())
        #expect(response.status == 504, "\(response.text)")
        #expect(response.header("Content-Type")?.hasPrefix("application/problem+json") == true)
        let health = try await HTTPClient.send("GET", "\(gateway.baseURL)/healthz")
        #expect(health.status == 200)
    }
}
