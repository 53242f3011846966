import Foundation
import TestSupport
import Testing

/// Alert webhooks through the real gateway to a real HTTP receiver on loopback: signatures,
/// retries, the dead-letter topic (read with kcat), and no loss across a restart.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct AlertWebhookEndToEndTests {
    /// Only high_amount fires: one alert per transaction of 15000.
    static let onlyHighAmount = [
        "--disable-rules", "velocity,amount_spike,country_hop,duplicate_charge", "--alerts-per-account-rule", "0",
    ]

    static func webhookArguments(_ urls: [String], backoffMs: Int = 100, maxBackoffMs: Int = 500) -> [String] {
        urls.flatMap { ["--alert-webhook", $0] } + [
            "--alert-webhook-secret", WebhookReceiver.secret,
            "--alert-webhook-initial-backoff-ms", String(backoffMs),
            "--alert-webhook-max-backoff-ms", String(maxBackoffMs),
        ] + onlyHighAmount
    }

    static func postAlerting(
        _ gateway: GatewayProcess,
        id: String,
        account: String,
        headers: [String: String] = [:]
    )
        async throws
    {
        let response = try await HTTPClient.postJSON(
            "\(gateway.baseURL)/transactions",
            sampleTransaction(id: id, account: account, amount: "\"15000.00\""),
            headers: headers
        )
        guard response.status == 202 else { throw TestFailure("POST \(id): \(response.status) \(response.text)") }
    }

    @Test func alert_deliveredOnceSigned_afterTwo500s_inThreeAttempts_withThePOSTsTrace() async throws {
        let receiver = try WebhookReceiver(["--script", "/hook=500,500,200"])
        let gateway = try GatewayProcess.start(Self.webhookArguments([receiver.url + "/hook"]))
        defer {
            gateway.stop()
            receiver.stop()
        }
        let trace = "0af7651916cd43dd8448eb211c80319c"
        try await Self.postAlerting(
            gateway,
            id: "wh-1",
            account: "acc-wh",
            headers: ["traceparent": "00-\(trace)-b7ad6b7169203331-01", "tracestate": "vendor=value"]
        )
        let requests = receiver.waitFor(timeout: .seconds(30)) { $0.contains { $0.status == 200 } }
        #expect(requests.map(\.status) == [500, 500, 200])
        #expect(Set(requests.map(\.webhookID)).count == 1)
        #expect(requests.first?.webhookID == requests.first?.alert["id"])
        #expect(requests.allSatisfy { $0.signatureValid })
        #expect(requests.allSatisfy { $0.traceparent?.hasPrefix("00-\(trace)-") == true })
        #expect(requests.last?.alert["trace_id"] == trace)

        let endpoint = receiver.url + "/hook"
        // An attempt is counted when it is sent, its outcome when the answer is in: wait for both.
        _ = try await MonitoringEndToEndTests.waitFor(
            gateway,
            "gateway_webhook_attempts_total",
            3,
            labels: ["endpoint": endpoint]
        )
        let metrics = try await MonitoringEndToEndTests.waitFor(
            gateway,
            "gateway_webhook_deliveries_total",
            1,
            labels: ["endpoint": endpoint, "outcome": "delivered"]
        )
        #expect(
            MetricsText.value(
                metrics,
                "gateway_webhook_deliveries_total",
                ["endpoint": endpoint, "outcome": "delivered"]
            ) == 1
        )
        #expect(
            MetricsText.value(metrics, "gateway_webhook_deliveries_total", ["endpoint": endpoint, "outcome": "failed"])
                == 2
        )
        #expect(receiver.requests.count == 3)

        // The transaction's record carries the caller's trace (with the gateway's own span id).
        let records = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions", count: 1)
        #expect(records.first?.headers.contains("traceparent=00-\(trace)-") == true)
        #expect(records.first?.headers.contains("traceparent=00-\(trace)-b7ad6b7169203331") == false)
        #expect(records.first?.headers.contains("tracestate=vendor=value") == true)
        // ... and so does the alert's record, and the log line of the alert names it.
        let alerts = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions.alerts", count: 1)
        #expect(alerts.first?.headers.contains("traceparent=00-\(trace)-") == true)
    }

    @Test func a429WithRetryAfter_delaysTheRetry_beyondTheBackoff() async throws {
        let receiver = try WebhookReceiver(["--script", "/hook=429,200", "--retry-after", "2"])
        let gateway = try GatewayProcess.start(
            Self.webhookArguments([receiver.url + "/hook"], backoffMs: 50, maxBackoffMs: 10_000)
        )
        defer {
            gateway.stop()
            receiver.stop()
        }
        try await Self.postAlerting(gateway, id: "ra-1", account: "acc-ra")
        let requests = receiver.waitFor(timeout: .seconds(30)) { $0.count == 2 }
        #expect(requests.map(\.status) == [429, 200])
        if requests.count == 2 {
            let wait = requests[1].receivedAt - requests[0].receivedAt
            #expect(wait >= 1.9 && wait < 5, "retried after \(wait) s")
        }
    }

    @Test func postWithoutTraceparent_getsANewTrace_onTheRecordAndTheAlert() async throws {
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess.start(Self.webhookArguments([receiver.url + "/hook"]))
        defer {
            gateway.stop()
            receiver.stop()
        }
        try await Self.postAlerting(gateway, id: "nt-1", account: "acc-nt", headers: ["traceparent": "00-not-valid"])
        let requests = receiver.waitFor(timeout: .seconds(30)) { !$0.isEmpty }
        let traceID = try #require(requests.first?.alert["trace_id"])
        #expect(traceID.wholeMatch(of: /[0-9a-f]{32}/) != nil)
        #expect(requests.first?.traceparent?.hasPrefix("00-\(traceID)-") == true)
        let records = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions", count: 1)
        #expect(records.first?.headers.contains("traceparent=00-\(traceID)-") == true)
    }

    @Test func alwaysFailingEndpoint_endsInTheDeadLetterTopic_whileAHealthyOneGetsEveryAlertAtOnce() async throws {
        let receiver = try WebhookReceiver(["--always", "/fail=500"])
        let gateway = try GatewayProcess.start(
            Self.webhookArguments([receiver.url + "/ok", receiver.url + "/fail"], backoffMs: 50, maxBackoffMs: 200)
                + ["--alert-webhook-max-attempts", "3"]
        )
        defer {
            gateway.stop()
            receiver.stop()
        }
        for index in 0..<5 { try await Self.postAlerting(gateway, id: "dl-\(index)", account: "acc-dl-\(index)") }
        let requests = receiver.waitFor(timeout: .seconds(30)) { requests in
            Set(requests.filter { $0.path == "/ok" }.map(\.webhookID)).count == 5
        }
        let healthy = requests.filter { $0.path == "/ok" }
        #expect(Set(healthy.map(\.webhookID)).count == 5)
        #expect(healthy.allSatisfy { $0.signatureValid })
        // Without delay: each within 2 s of the alert's detection, whatever the failing endpoint does.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for request in healthy {
            let detected = try #require(request.alert["detected_at"].flatMap(formatter.date(from:)))
            #expect(request.receivedAt - detected.timeIntervalSince1970 < 2.0, "\(request.webhookID)")
        }

        let dead = try Kcat.consume(
            bootstrap: gateway.bootstrapServers,
            topic: "transactions.alerts.dlq",
            count: 5,
            timeout: .seconds(60)
        )
        #expect(dead.count == 5)
        #expect(
            Set(dead.compactMap { $0.headers.firstMatch(of: /webhook-id=([0-9a-f]+)/).map { String($0.1) } })
                == Set(healthy.map(\.webhookID))
        )
        #expect(dead.allSatisfy { $0.headers.contains("webhook-last-error=HTTP 500") })
        #expect(dead.allSatisfy { $0.headers.contains("webhook-endpoint=\(receiver.url)/fail") })
        #expect(dead.allSatisfy { $0.headers.contains("webhook-attempts=3") })
        #expect(receiver.requests.filter { $0.path == "/fail" }.count == 15)
        let metrics = try await MonitoringEndToEndTests.waitFor(gateway, "gateway_webhook_dead_letters_total", 5)
        #expect(MetricsText.value(metrics, "gateway_webhook_backlog", ["endpoint": receiver.url + "/fail"]) == 0)
        // The dashboard's feed carries each endpoint's health.
        let feed = try runProcess(
            "/usr/bin/curl",
            ["-sN", "--max-time", "2", "\(gateway.baseURL)/events"],
            timeout: .seconds(10)
        )
        let health = feed.stdout.components(separatedBy: "\n").first { $0.hasPrefix("data: {\"endpoints\"") } ?? ""
        #expect(health.contains(#""dead_lettered":5,"delivered":0,"endpoint":"\#(receiver.url)/fail""#), "\(health)")
        #expect(health.contains(#""delivered":5,"endpoint":"\#(receiver.url)/ok""#), "\(health)")
    }

    @Test func receiverDownWhile50AlertsAreRaised_allArriveInOrderPerAccount_acrossAGatewayRestart() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        // A port nobody listens on until the receiver comes back.
        let port = try {
            let probe = try WebhookReceiver()
            defer { probe.stop() }
            return probe.port
        }()
        let arguments =
            [
                "--bootstrap-servers", cluster.bootstrapServers, "-X", "session.timeout.ms=6000", "-X",
                "heartbeat.interval.ms=500",
            ]
            + Self.webhookArguments(["http://127.0.0.1:\(port)/hook"], backoffMs: 100, maxBackoffMs: 1000)
            + ["--alert-webhook-max-attempts", "1000"]
        let first = try GatewayProcess.start(arguments)
        let accounts = (0..<5).map { "acc-ord-\($0)" }
        for index in 0..<10 {
            for account in accounts { try await Self.postAlerting(first, id: "\(account)-\(index)", account: account) }
        }
        // Every alert is in Kafka and taken by the delivery consumer, none delivered.
        _ = try await MonitoringEndToEndTests.waitFor(
            first,
            "gateway_webhook_backlog",
            50,
            labels: ["endpoint": "http://127.0.0.1:\(port)/hook"]
        )
        #expect(first.stop() == 0)

        let second = try GatewayProcess.start(arguments)
        defer { second.stop() }
        let receiver = try WebhookReceiver(port: port)
        defer { receiver.stop() }
        let requests = receiver.waitFor(timeout: .seconds(90)) { requests in
            Set(requests.filter { $0.status == 200 }.map(\.webhookID)).count == 50
        }
        #expect(Set(requests.map(\.webhookID)).count == 50)
        #expect(requests.allSatisfy { $0.signatureValid })
        for account in accounts {
            // Order of first arrival per account is the order of its transactions.
            var seen: [String] = []
            for request in requests where request.alert["account_id"] == account {
                let id = request.transactionIDs.last ?? ""
                if !seen.contains(id) { seen.append(id) }
            }
            #expect(seen == (0..<10).map { "\(account)-\($0)" }, "\(account)")
        }
    }

    @Test func twoInstances_eachAlertReachesTheReceiver_repeatsOnlyWithTheSameWebhookID() async throws {
        let cluster = try GatewayProcess.startCluster()
        defer { cluster.stop() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let arguments =
            [
                "--bootstrap-servers", cluster.bootstrapServers, "-X", "session.timeout.ms=6000", "-X",
                "heartbeat.interval.ms=500",
            ]
            + Self.webhookArguments([receiver.url + "/hook"])
        let first = try GatewayProcess.start(arguments)
        defer { first.stop() }
        _ = try first.waitForLine(timeout: .seconds(30)) {
            $0.contains("client=webhooks") && $0.contains("partitions assigned")
        }
        let second = try GatewayProcess.start(arguments)
        defer { second.stop() }
        // The group has rebalanced: the newcomer owns part of the alerts topic.
        _ = try second.waitForLine(timeout: .seconds(60)) {
            $0.contains("client=webhooks") && $0.contains("partitions assigned")
        }

        let ids = (0..<20).map { "two-\($0)" }
        for (index, id) in ids.enumerated() {
            try await Self.postAlerting(index.isMultiple(of: 2) ? first : second, id: id, account: "acc-two-\(index)")
        }
        let requests = receiver.waitFor(timeout: .seconds(60)) { requests in
            Set(requests.flatMap(\.transactionIDs)).isSuperset(of: ids)
        }
        #expect(Set(requests.flatMap(\.transactionIDs)) == Set(ids))
        // One alert, one webhook-id: a repeat (after a rebalance) carries the id of the first.
        let idsByTransaction = Dictionary(grouping: requests, by: { $0.transactionIDs.last ?? "" }).mapValues {
            Set($0.map(\.webhookID))
        }
        #expect(idsByTransaction.values.allSatisfy { $0.count == 1 })
        // Both instances sent some, and between them exactly what the receiver got (the count
        // follows the receiver's answer, so it is polled).
        var delivered: [Double] = []
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            delivered = []
            for gateway in [first, second] {
                let text = try await HTTPClient.send("GET", "\(gateway.baseURL)/metrics").text
                let labels = ["endpoint": receiver.url + "/hook", "outcome": "delivered"]
                delivered.append(MetricsText.value(text, "gateway_webhook_deliveries_total", labels) ?? 0)
            }
            if Int(delivered.reduce(0, +)) == receiver.requests.count { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        #expect(delivered.allSatisfy { $0 > 0 }, "\(delivered)")
        #expect(Int(delivered.reduce(0, +)) == receiver.requests.count)
    }
}
