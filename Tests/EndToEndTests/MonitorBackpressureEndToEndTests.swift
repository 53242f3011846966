import Foundation
import Testing

/// Keep up, or push back (`--max-monitor-lag`): under a batch flood on the embedded cluster,
/// ingestion answers 503 while the monitor trails a partition by more than the bound, and once
/// the flood ends every acknowledged transaction is in `/stats`: 503s, but no silent gap. The bound
/// is made small so that a flood of a few seconds crosses it many times.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MonitorBackpressureEndToEndTests {
    @Test func batchFlood_onTheEmbeddedCluster_everyAcknowledgedTransactionReachesTheStatistics() async throws {
        let gateway = try GatewayProcess.start(["--max-monitor-lag", "100"])
        defer { gateway.stop() }
        try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)

        let run = try TxGenEndToEndTests.txgen([
            "--url", "\(gateway.baseURL)/transactions", "--rate", "0", "--batch", "100", "--concurrency", "16",
            "--duration", "8s", "--fraud-share", "0", "--accounts", "100000", "--json",
        ])
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            "\(run.stdout)"
        )
        let accepted = try #require(summary["accepted"] as? Int)
        let statuses = summary["status_counts"] as? [String: Int] ?? [:]
        #expect(accepted > 0)
        #expect(statuses["503"] ?? 0 > 0, "the flood never met the bound: \(statuses)")
        #expect(Set(statuses.keys).isSubset(of: ["200", "503"]), "\(statuses)")

        // After the flood: the monitor catches up and has every acknowledged transaction.
        let deadline = ContinuousClock.now + .seconds(60)
        var stats: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            stats = try await HTTPClient.send("GET", "\(gateway.baseURL)/stats").json()
            if (stats["total"] as? [String: Any])?["count"] as? Int ?? 0 >= accepted { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect((stats["total"] as? [String: Any])?["count"] as? Int == accepted, "\(stats["total"] ?? "")")
        #expect(stats["complete"] as? Bool == true)
        #expect(stats["skipped_records"] as? Int == 0)
        let pressure = try #require(stats["backpressure"] as? [String: Any])
        #expect(pressure["max_monitor_lag"] as? Int == 100)
        #expect(pressure["rejected_requests"] as? Int ?? 0 > 0)

        let metrics = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
        #expect(MetricsText.value(metrics, "gateway_monitor_max_lag") == 100)
        #expect(MetricsText.value(metrics, "gateway_monitor_backpressure_episodes_total") ?? 0 >= 1)
        #expect(
            MetricsText.value(metrics, "gateway_monitor_backpressure_rejections_total") == Double(statuses["503"] ?? -1)
        )
        #expect(gateway.log.contains("monitor behind: POST /transactions answers 503 until it catches up"))
        #expect(gateway.log.contains("monitor caught up"))
        let lint = try MetricsText.checkWithPromtool(metrics)
        #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics: \(lint.output)")
    }

    /// While the gate is closed, a POST is refused before anything is produced: 503 problem+json
    /// with Retry-After. Before the group has formed, records pile up on partitions nobody owns,
    /// which a gateway on its in-process cluster counts as lag: with a bound of 1, a batch of 200
    /// closes the gate until the monitor has joined and applied them.
    @Test func refusal_isAProblemWithRetryAfter_andProducesNothing() async throws {
        let gateway = try GatewayProcess.start(["--max-monitor-lag", "1"])
        defer { gateway.stop() }
        let lines = (0..<200).map { sampleTransaction(id: "bp-\($0)", account: "acc-\($0)") }
        let first = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: lines.joined(separator: "\n"),
            headers: ["Content-Type": "application/x-ndjson"]
        )
        #expect(first.status == 200)
        var accepted = 200
        var refused: HTTPClient.Response?
        for attempt in 0..<100 where refused == nil {
            let response = try await HTTPClient.postJSON(
                "\(gateway.baseURL)/transactions",
                sampleTransaction(id: "bp-more-\(attempt)")
            )
            if response.status == 202 { accepted += 1 } else { refused = response }
            try await Task.sleep(for: .milliseconds(20))
        }
        let answer = try #require(refused, "no 503 while the monitor was 200 records behind")
        #expect(answer.status == 503)
        #expect(answer.header("Content-Type")?.hasPrefix("application/problem+json") == true)
        #expect(answer.header("Retry-After") == "1")
        #expect(try answer.json()["title"] as? String == "Monitor behind")
        // Once the monitor caught up, it applied exactly what was accepted, and nothing of the
        // refused request was produced.
        let metrics = try await MonitoringEndToEndTests.waitFor(
            gateway,
            "gateway_monitor_recorded_total",
            Double(accepted)
        )
        #expect(MetricsText.value(metrics, "gateway_monitor_recorded_total") == Double(accepted))
        #expect(MetricsText.value(metrics, "gateway_kafka_produced_total") == Double(accepted))
        #expect(MetricsText.value(metrics, "gateway_monitor_backpressure_rejections_total") ?? 0 >= 1)
    }
}
