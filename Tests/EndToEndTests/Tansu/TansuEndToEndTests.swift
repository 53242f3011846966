import Foundation
import Testing

/// The real gateway against Tansu, a Kafka-compatible broker written independently of librdkafka
/// and of its mock cluster (every other Kafka test uses the mock), reached through
/// `ApiVersionsShim` (librdkafka 2.0.2 misreads Tansu's ApiVersions v3 answer, #4278).
/// kcat goes through the shim as well.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TansuEndToEndTests {
    /// The monitor's state topic too: a gateway with monitoring refuses to start without it.
    static let topics = ["transactions", "transactions.alerts", "transactions.monitor-state"]
    /// Tansu holds a group's first join for about half the session timeout: keep it short.
    static let groupEnvironment = ["KAFKA_SESSION_TIMEOUT_MS": "3000", "KAFKA_HEARTBEAT_INTERVAL_MS": "500"]

    @Test func recordsAcknowledgedByTansu_areReadBackWithKcat_countedByTheGroup_andRaiseAlerts() async throws {
        let tansu = try TansuBroker(topics: Self.topics)
        defer { tansu.stop() }
        let gateway = try GatewayProcess.start(
            ["--bootstrap-servers", tansu.bootstrap, "--producers", "1", "--consumers", "1"],
            environment: Self.groupEnvironment
        )
        defer { gateway.stop(grace: .seconds(10)) }

        let ordinary = try await HTTPClient.postJSON(
            "\(gateway.baseURL)/transactions",
            sampleTransaction(id: "tansu-1", account: "acc-t"),
            headers: ["X-Request-Id": "req-tansu-1"]
        )
        #expect(ordinary.status == 202, "\(ordinary.text)\n\(gateway.log.suffix(2000))")
        let large = try await HTTPClient.postJSON(
            "\(gateway.baseURL)/transactions",
            sampleTransaction(id: "tansu-2", account: "acc-t", amount: "\"25000.00\"")
        )
        #expect(large.status == 202, "\(large.text)")
        let partition = try #require(try ordinary.json()["partition"] as? Int)
        let offsets = try [ordinary, large].map { try #require(try $0.json()["offset"] as? Int) }

        // kcat, another client, reads both back where the 202s said, in order.
        let records = try Kcat.consume(
            bootstrap: tansu.bootstrap,
            topic: "transactions",
            count: 2,
            timeout: .seconds(20)
        )
        #expect(records.map(\.key) == ["acc-t", "acc-t"])
        #expect(records.map(\.partition) == [partition, partition])
        #expect(records.map(\.offset) == offsets)
        #expect(records.first?.headers.contains("request-id=req-tansu-1") == true)
        #expect(records.map { $0.value.contains(#""id":"tansu-1""#) } == [true, false])

        // The monitor's consumer group on Tansu counts both and raises the high_amount alert.
        let stats = try await HTTPClient.poll("\(gateway.baseURL)/stats", timeout: .seconds(30)) {
            ((try? $0.json()["total"] as? [String: Any])?["count"] as? Int) == 2
        }
        #expect(stats != nil, "the group never counted 2:\n\(gateway.log.suffix(3000))")
        let alerts = try await HTTPClient.poll("\(gateway.baseURL)/alerts?rule=high_amount", timeout: .seconds(10)) {
            ((try? $0.json()["alerts"] as? [[String: Any]]) ?? []).count == 1
        }
        let alert = try #require((try alerts?.json()["alerts"] as? [[String: Any]])?.first)
        #expect(alert["account_id"] as? String == "acc-t")
        #expect(alert["transaction_ids"] as? [String] == ["tansu-2"])
        // The alert went through Tansu too: the alerts topic holds it, keyed by account.
        let published = try Kcat.consume(
            bootstrap: tansu.bootstrap,
            topic: "transactions.alerts",
            count: 1,
            timeout: .seconds(20)
        )
        #expect(published.map(\.key) == ["acc-t"])
    }

    /// Tansu killed, then restarted empty on the same port (memory storage: topics recreated,
    /// producer ids forgotten). While it is down, and again once it is back but the gateway's
    /// producer id means nothing to it (librdkafka 2.0.2 then retries UNKNOWN_PRODUCER_ID inside and
    /// reports only timeouts), every POST gets 503 and `/readyz` says 503 with the reason; the stuck
    /// producer is replaced and ingestion resumes without a restart of the gateway. This is the
    /// case of a broker that lost its state while `/readyz` still said ready, replayed.
    @Test func tansuKilledAndRestartedEmpty_readyzSays503WithAReason_thenIngestionResumes() async throws {
        let tansu = try TansuBroker(topics: Self.topics)
        defer { tansu.stop() }
        let gateway = try GatewayProcess.start([
            "--bootstrap-servers", tansu.bootstrap, "--producers", "1", "--consumers", "0",
            "--delivery-timeout-ms", "2000",
        ])
        defer { gateway.stop(grace: .seconds(10)) }
        let transactions = "\(gateway.baseURL)/transactions"
        let readyz = "\(gateway.baseURL)/readyz"
        let before = try await HTTPClient.postJSON(transactions, sampleTransaction(id: "before", account: "acc-r"))
        #expect(before.status == 202, "\(before.text)\n\(gateway.log.suffix(2000))")
        #expect(try await HTTPClient.send("GET", readyz).status == 200)

        // Down: no broker answers.
        tansu.kill()
        let during = try await HTTPClient.postJSON(transactions, sampleTransaction(id: "during", account: "acc-r"))
        #expect(during.status == 503)
        #expect(during.header("Retry-After") != nil)
        let down = try await HTTPClient.poll(readyz, timeout: .seconds(10)) { $0.status == 503 }
        #expect(down?.header("Retry-After") != nil)
        #expect(
            ((try down?.json()["reason"] as? String) ?? "").contains("no broker answers"),
            "\(down?.text ?? "no 503 from /readyz")"
        )

        // Back, empty: metadata works again, produce does not.
        try tansu.restart()
        let stuck = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<3 {
                group.addTask {
                    try await HTTPClient.postJSON(
                        transactions,
                        sampleTransaction(id: "stuck-\(index)", account: "acc-r")
                    ).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(stuck == [503, 503, 503], "the restarted broker took records from the old producer id")
        let failing = try await HTTPClient.poll(readyz, timeout: .seconds(10)) {
            $0.status == 503 && ((try? $0.json()["reason"] as? String) ?? "").contains("deliveries failing")
        }
        #expect(failing != nil, "/readyz did not report the failing deliveries:\n\(gateway.log.suffix(3000))")
        #expect(
            ((try failing?.json()["brokers"] as? [String]) ?? []).isEmpty == false,
            "the broker answers metadata meanwhile"
        )

        let after = try await HTTPClient.poll(
            transactions,
            method: "POST",
            body: sampleTransaction(id: "after", account: "acc-r"),
            timeout: .seconds(30)
        ) { $0.status == 202 }
        #expect(after != nil, "no 202 after the restart:\n\(gateway.log.suffix(3000))")
        #expect(try await HTTPClient.poll(readyz, timeout: .seconds(10)) { $0.status == 200 } != nil)
        let metrics = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
        #expect(MetricsText.value(metrics, "gateway_kafka_producer_replacements_total") ?? 0 >= 1)
        #expect(gateway.log.contains("Kafka producer replaced"))
        // The restarted broker holds what was acknowledged since, and only that.
        let records = try Kcat.consumeAll(bootstrap: tansu.bootstrap, topic: "transactions", timeout: .seconds(20))
        #expect(records.map { $0.value.contains(#""id":"after""#) } == [true])
    }
}
