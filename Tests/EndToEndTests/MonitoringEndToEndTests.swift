import Foundation
import Testing

/// A scripted set of transactions through the real gateway; the exact counts must show in
/// /metrics and /stats, the exact alerts in /alerts and on the alerts topic (read with kcat).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MonitoringEndToEndTests {
    /// One transaction of the script; `seconds` is the event time after the base time.
    static func tx(
        _ id: String,
        _ account: String,
        amount: String,
        seconds: Int,
        merchant: String = "m-1",
        country: String = "BR",
        currency: String = "BRL"
    ) -> String {
        let base = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18, fixed so the script is stable
        let time = ISO8601DateFormatter().string(from: base.addingTimeInterval(TimeInterval(seconds)))
        return
            #"{"id":"\#(id)","account_id":"\#(account)","amount":"\#(amount)","currency":"\#(currency)","merchant_id":"\#(merchant)","country":"\#(country)","channel":"pix","timestamp":"\#(time)"}"#
    }

    /// 17 distinct transactions that raise exactly one alert per rule.
    static let script: [String] = {
        var lines: [String] = []
        lines.append(tx("hi-1", "acc-high", amount: "15000.00", seconds: 0))  // high_amount
        for i in 0..<6 {
            lines.append(tx("vel-\(i)", "acc-vel", amount: "\(10 + i).00", seconds: 100 + i * 5, merchant: "m-v\(i)"))
        }  // velocity, once
        for i in 0..<5 {
            lines.append(tx("sp-\(i)", "acc-spike", amount: "100.00", seconds: 200 + i * 120, merchant: "m-s\(i)"))
        }
        // amount_spike
        lines.append(tx("sp-5", "acc-spike", amount: "1000.00", seconds: 200 + 5 * 120, merchant: "m-s5"))
        lines.append(tx("hop-1", "acc-hop", amount: "50.00", seconds: 300, merchant: "m-h1", country: "BR"))
        // country_hop
        lines.append(tx("hop-2", "acc-hop", amount: "60.00", seconds: 600, merchant: "m-h2", country: "AR"))
        lines.append(tx("dup-1", "acc-dup", amount: "42.00", seconds: 400, merchant: "m-d"))
        lines.append(tx("dup-2", "acc-dup", amount: "42.00", seconds: 410, merchant: "m-d"))  // duplicate_charge
        return lines
    }()

    static func waitFor(
        _ gateway: GatewayProcess,
        _ metric: String,
        _ expected: Double,
        labels: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
            if let value = MetricsText.value(last, metric, labels), value >= expected { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("\(metric) did not reach \(expected) within \(timeout):\n\(last)")
    }

    static func waitForPartitions(
        _ gateways: [GatewayProcess],
        _ expected: Double,
        timeout: Duration = .seconds(60)
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var owned: [Double] = []
        while ContinuousClock.now < deadline {
            owned = []
            for gateway in gateways {
                let text = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
                owned.append(MetricsText.value(text, "gateway_consumer_assigned_partitions") ?? 0)
            }
            if owned.reduce(0, +) == expected && owned.allSatisfy({ $0 > 0 }) { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestFailure("partitions owned \(owned), expected \(expected) in all")
    }

    @Test func scriptedTransactions_giveExactCountsAndAlerts() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        // Before the group is stable, a rebalance can redeliver records (the mock cluster refuses
        // commits during a rebalance): dedupe keeps them out of the statistics, but the duplicate
        // and invalid counters would count them. Start the script once all partitions are owned.
        try await Self.waitForPartitions([gateway], 6)
        let ndjson = Self.script.joined(separator: "\n")
        let batch = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: ndjson,
            headers: ["Content-Type": "application/x-ndjson"]
        )
        #expect(batch.status == 200)
        #expect(try batch.jsonArray().allSatisfy { $0["status"] as? String == "accepted" })
        // A client retry of an id already sent is counted once.
        let retry = try await HTTPClient.postJSON("\(gateway.baseURL)/transactions", Self.script[0])
        #expect(retry.status == 202)
        // Junk written to the topic by another producer is counted and skipped.
        try Kcat.produce(
            bootstrap: gateway.bootstrapServers,
            topic: "transactions",
            lines: ["this is not a transaction"]
        )

        _ = try await Self.waitFor(gateway, "gateway_monitor_consumed_total", 19)
        let metrics = try await Self.waitFor(gateway, "gateway_monitor_recorded_total", 17)
        #expect(MetricsText.value(metrics, "gateway_monitor_recorded_total") == 17)
        #expect(MetricsText.value(metrics, "gateway_monitor_duplicates_skipped_total") == 1)
        #expect(MetricsText.value(metrics, "gateway_monitor_invalid_records_total") == 1)
        #expect(MetricsText.value(metrics, "gateway_window_transactions", ["window": "total"]) == 17)
        #expect(
            MetricsText.value(
                metrics,
                "gateway_window_transactions_by_currency",
                ["window": "total", "currency": "BRL"]
            ) == 17
        )
        #expect(
            MetricsText.value(metrics, "gateway_window_transactions_by_channel", ["window": "total", "channel": "pix"])
                == 17
        )
        #expect(
            MetricsText.value(metrics, "gateway_window_transactions_by_country", ["window": "total", "country": "AR"])
                == 1
        )
        #expect(MetricsText.value(metrics, "gateway_kafka_produced_total") ?? 0 >= 18)
        for (rule, severity) in [
            ("high_amount", "high"), ("velocity", "medium"), ("amount_spike", "medium"),
            ("country_hop", "high"), ("duplicate_charge", "medium"),
        ] {
            #expect(
                MetricsText.value(metrics, "gateway_alerts_total", ["rule": rule, "severity": severity]) == 1,
                "\(rule)"
            )
        }
        let families = try MetricsText.parseWithPrometheusClient(metrics)
        #expect(
            families.isSuperset(of: [
                "gateway_http_requests", "gateway_http_request_duration_seconds", "gateway_alerts",
                "gateway_window_transactions", "gateway_consumer_lag", "gateway_kafka_produced",
                "gateway_transaction_amount",
            ])
        )
        // The amount histogram: cumulative buckets per currency, ending in +Inf = _count.
        #expect(MetricsText.value(metrics, "gateway_transaction_amount_bucket", ["currency": "BRL", "le": "50"]) == 9)
        #expect(
            MetricsText.value(metrics, "gateway_transaction_amount_bucket", ["currency": "BRL", "le": "+Inf"]) == 17
        )
        #expect(MetricsText.value(metrics, "gateway_transaction_amount_count", ["currency": "BRL"]) == 17)
        #expect(MetricsText.value(metrics, "gateway_transaction_amount_sum", ["currency": "BRL"]) == 16_769)
        // promtool's own linter, on everything a live /metrics shows (no complaint at all).
        let lint = try MetricsText.checkWithPromtool(metrics)
        #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics: \(lint.output)")

        let alerts = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts").json()
        let list = try #require(alerts["alerts"] as? [[String: Any]])
        let byRule = Dictionary(uniqueKeysWithValues: list.map { ($0["rule"] as? String ?? "", $0) })
        #expect(list.count == 5)
        #expect(byRule["high_amount"]?["account_id"] as? String == "acc-high")
        #expect(byRule["high_amount"]?["transaction_ids"] as? [String] == ["hi-1"])
        #expect(byRule["velocity"]?["account_id"] as? String == "acc-vel")
        #expect(byRule["amount_spike"]?["transaction_ids"] as? [String] == ["sp-5"])
        #expect(byRule["country_hop"]?["account_id"] as? String == "acc-hop")
        #expect(Set(byRule["duplicate_charge"]?["transaction_ids"] as? [String] ?? []) == ["dup-1", "dup-2"])
        let filtered = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts?rule=velocity&limit=10").json()
        #expect((filtered["alerts"] as? [[String: Any]])?.count == 1)
        let bad = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts?limit=5000&severity=dire")
        #expect(bad.status == 400)
        #expect(bad.header("Content-Type")?.hasPrefix("application/problem+json") == true)

        let published = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions.alerts", count: 5)
        #expect(published.count == 5)
        #expect(Set(published.map(\.key)) == ["acc-high", "acc-vel", "acc-spike", "acc-hop", "acc-dup"])

        let stats = try await HTTPClient.send("GET", "\(gateway.baseURL)/stats").json()
        let total = try #require(stats["total"] as? [String: Any])
        #expect(total["count"] as? Int == 17)
        #expect((stats["windows"] as? [String: Any])?.keys.sorted() == ["15m", "1m", "5m"])
    }

    /// An alert storm: 20 identical charges of one account within 20 s raise 19 duplicate_charge
    /// alerts, of which `--alerts-per-account-rule 3` lets 3 through; the rest are only counted. A
    /// later alert of the same account and rule, a minute on, passes and says how many were
    /// suppressed; another account's alert is not held back by the storm.
    @Test func alertStorm_isBoundedPerAccountAndRule() async throws {
        let gateway = try GatewayProcess.start([
            "--alerts-per-account-rule", "3", "--duplicate-charge-window-seconds", "120",
        ])
        defer { gateway.stop() }
        try await Self.waitForPartitions([gateway], 6)
        var lines = (0..<20).map {
            Self.tx("storm-\($0)", "acc-storm", amount: "129.90", seconds: $0, merchant: "m-881")
        }
        lines.append(Self.tx("storm-later", "acc-storm", amount: "129.90", seconds: 62, merchant: "m-881"))
        lines += [
            Self.tx("calm-1", "acc-calm", amount: "5.00", seconds: 3, merchant: "m-2"),
            Self.tx("calm-2", "acc-calm", amount: "5.00", seconds: 9, merchant: "m-2"),
        ]
        let batch = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: lines.joined(separator: "\n"),
            headers: ["Content-Type": "application/x-ndjson"]
        )
        #expect(batch.status == 200)

        let metrics = try await Self.waitFor(gateway, "gateway_monitor_recorded_total", 23)
        #expect(MetricsText.value(metrics, "gateway_alerts_suppressed_total", ["rule": "duplicate_charge"]) == 16)
        #expect(MetricsText.value(metrics, "gateway_alerts_suppressed_total", ["rule": "velocity"]) == 0)
        // 3 in the storm's minute, 1 a minute on, 1 for the calm account.
        #expect(
            MetricsText.value(metrics, "gateway_alerts_total", ["rule": "duplicate_charge", "severity": "medium"]) == 5
        )

        // The alert store and the alerts topic hold exactly what passed: 4 + 1 duplicate_charge and
        // the storm's one velocity alert.
        let published = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions.alerts", count: 6)
        #expect(try Kcat.consumeAll(bootstrap: gateway.bootstrapServers, topic: "transactions.alerts").count == 6)
        #expect(
            published.filter { $0.key == "acc-storm" }.count == 5
                && published.filter { $0.key == "acc-calm" }.count == 1
        )
        let page = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts?rule=duplicate_charge&limit=100").json()
        let duplicates = try #require(page["alerts"] as? [[String: Any]])
        let storm = duplicates.filter { $0["account_id"] as? String == "acc-storm" }
        #expect(storm.count == 4)
        #expect(duplicates.filter { $0["account_id"] as? String == "acc-calm" }.count == 1)
        let later = try #require(storm.first { ($0["transaction_ids"] as? [String])?.last == "storm-later" })
        #expect(later["suppressed_before"] as? Int == 16)
        #expect(storm.filter { $0["suppressed_before"] == nil }.count == 3)
        let lint = try MetricsText.checkWithPromtool(metrics)
        #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics: \(lint.output)")
    }

    /// `--monitor-niceness`: the monitor's consumer threads, and librdkafka's threads of those
    /// consumers, run at the nice value given; the HTTP loops and the producers' threads do not.
    @Test func monitorThreads_runAtTheConfiguredNiceness() async throws {
        let gateway = try GatewayProcess.start(["--monitor-niceness", "7"])
        defer { gateway.stop() }
        try await Self.waitForPartitions([gateway], 6)
        let threads = try Self.threadNiceness(of: gateway.processIdentifier)
        // Names are cut to 15 bytes by the kernel: "kafka-c-monitor" (3 consumers), "kafka-c-alert-r".
        let monitor = threads.filter { $0.name.hasPrefix("kafka-c-") }
        #expect(monitor.count == 4 && monitor.allSatisfy { $0.nice == 7 }, "\(threads)")
        let librdkafka = threads.filter { $0.name.hasPrefix("rdk:") }
        #expect(librdkafka.contains { $0.nice == 7 } && librdkafka.contains { $0.nice == 0 }, "\(threads)")
        let ingestion = threads.filter { $0.name.hasPrefix("http-loop-") || $0.name.hasPrefix("kafka-dr-") }
        #expect(ingestion.count >= 3 && ingestion.allSatisfy { $0.nice == 0 }, "\(threads)")
    }

    /// Each thread's name and nice value, from /proc/PID/task/TID/stat (the nice value is the
    /// 19th field; the name, in parentheses, may contain spaces).
    static func threadNiceness(of pid: Int32) throws -> [(name: String, nice: Int)] {
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        return try tasks.map { tid in
            let stat = try String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8)
            let open = try #require(stat.firstIndex(of: "("))
            let close = try #require(stat.lastIndex(of: ")"))
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the name: state is field 3, so field 19 is at index 16.
            return (String(stat[stat.index(after: open)..<close]), Int(fields[16]) ?? -99)
        }
    }

    @Test func ruleFlagsAndFile_changeWhatFires() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"high_amount": {"threshold": 100}, "country_hop": {"enabled": false}}"#.utf8).write(to: file)
        let gateway = try GatewayProcess.start([
            "--alert-rules", file.path, "--velocity-count", "3", "--disable-rules", "duplicate_charge",
        ])
        defer { gateway.stop() }
        try await Self.waitForPartitions([gateway], 6)
        let lines = [
            // high_amount at 100
            Self.tx("f-1", "acc-f", amount: "150.00", seconds: 0, merchant: "m-x", country: "BR"),
            Self.tx("f-2", "acc-f", amount: "50.00", seconds: 5, merchant: "m-x", country: "AR"),  // hop disabled
            // 3rd in 60 s: velocity; duplicate disabled
            Self.tx("f-3", "acc-f", amount: "50.00", seconds: 10, merchant: "m-x", country: "AR"),
        ]
        let batch = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: lines.joined(separator: "\n"),
            headers: ["Content-Type": "application/x-ndjson"]
        )
        #expect(batch.status == 200)
        _ = try await Self.waitFor(gateway, "gateway_monitor_recorded_total", 3)
        let alerts = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts").json()
        let rules = (alerts["alerts"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        #expect(rules.sorted() == ["high_amount", "velocity"])
    }

    @Test func badRulesFile_stopsStartupWithAClearMessage() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"velocity": {"treshold": 3}}"#.utf8).write(to: file)
        do {
            let gateway = try GatewayProcess.start(["--alert-rules", file.path], timeout: .seconds(10))
            gateway.stop()
            Issue.record("the gateway started with a misspelt rules file")
        } catch {
            #expect("\(error)".contains("--alert-rules"), "\(error)")
            #expect("\(error)".contains("treshold"), "\(error)")
        }
    }
}
