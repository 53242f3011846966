import Foundation
import TestSupport
import Testing

/// The Grafana dashboard of the compose stack shows what the gateway really exposes: its queries
/// parse (promtool), every metric they name is in a live gateway's /metrics once traffic, an alert
/// and a delivery error have happened, and those whose labels are known in advance exist at 0 before.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DashboardMetricsTests {
    static let dashboard = "deploy/grafana/dashboards/gateway.json"
    /// Series Prometheus makes itself for each scrape, not found in any /metrics.
    static let prometheusOwn: Set<String> = ["up", "scrape_duration_seconds", "scrape_samples_scraped"]

    @Test func everyMetricTheDashboardQueries_isInALiveGatewaysMetrics() async throws {
        let check = try RepositoryChecks.python([
            "scripts/check-dashboard.py", Self.dashboard, "deploy/grafana/provisioning/datasources",
        ])
        try #require(check.status == 0, "\(check.output)")
        let wanted = Set(check.output.split(separator: "\n").map(String.init)).subtracting(Self.prometheusOwn)
        #expect(wanted.count >= 8, "\(check.output)")

        // message.max.bytes=1000 (librdkafka's least) makes a transaction with long metadata a
        // delivery error (MSG_SIZE_TOO_LARGE), so the delivery-error series exists.
        let gateway = try GatewayProcess.start(["-X", "message.max.bytes=1000"])
        defer { gateway.stop() }
        let url = gateway.baseURL + "/transactions"
        for (index, currency) in ["BRL", "USD", "EUR"].enumerated() {
            let body = sampleTransaction(id: "dash-\(index)", account: "acc-dash-\(index)")
                .replacingOccurrences(of: "\"BRL\"", with: "\"\(currency)\"")
            #expect(try await HTTPClient.postJSON(url, body).status == 202)
        }
        // high_amount: an alert, so gateway_alerts_total has a series.
        #expect(
            try await HTTPClient.postJSON(
                url,
                sampleTransaction(id: "dash-high", account: "acc-dash-high", amount: "\"25000.00\"")
            ).status == 202
        )
        let long = String(repeating: "x", count: 250)
        let metadata = #","metadata":{"a":"\#(long)","b":"\#(long)","c":"\#(long)","d":"\#(long)","e":"\#(long)"}"#
        let refused = try await HTTPClient.postJSON(
            url,
            sampleTransaction(id: "dash-large", account: "acc-dash-large", extra: metadata)
        )
        #expect(refused.status == 503, "\(refused.text)")

        var missing = wanted
        let deadline = ContinuousClock.now + .seconds(30)
        while !missing.isEmpty, ContinuousClock.now < deadline {
            let metrics = try await HTTPClient.send("GET", gateway.baseURL + "/metrics").text
            missing = wanted.subtracting(Self.sampleNames(metrics))
            if !missing.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(missing.isEmpty, "the dashboard queries series the gateway does not expose: \(missing.sorted())")
    }

    /// Series whose label values are data (currencies seen so far): not known before the first
    /// transaction, so a fresh gateway only declares them (HELP and TYPE).
    static let labelledByData: Set<String> = [
        "gateway_transaction_amount_bucket", "gateway_transaction_amount_sum",
        "gateway_window_transactions_by_currency",
    ]

    @Test func everyMetricTheDashboardQueries_existsAtZeroOnAGatewayThatServedNothing() async throws {
        let check = try RepositoryChecks.python([
            "scripts/check-dashboard.py", Self.dashboard, "deploy/grafana/provisioning/datasources",
        ])
        try #require(check.status == 0, "\(check.output)")
        let wanted = Set(check.output.split(separator: "\n").map(String.init)).subtracting(Self.prometheusOwn)

        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        // The first scrape: nothing served before it. Lag is per owned partition, so it waits
        // for the group's assignment below.
        let first = try await HTTPClient.send("GET", gateway.baseURL + "/metrics").text
        let perPartition: Set<String> = ["gateway_consumer_lag"]
        let missing = wanted.subtracting(Self.labelledByData).subtracting(perPartition)
            .subtracting(Self.sampleNames(first))
        #expect(missing.isEmpty, "a fresh gateway lacks series the dashboard queries: \(missing.sorted())\n\(first)")
        let undeclared = Self.labelledByData.filter { name in
            let family = name.replacing(/_(bucket|sum)$/, with: "")
            return !first.contains("# TYPE \(family) ")
        }
        #expect(undeclared.isEmpty, "not declared: \(undeclared.sorted())")

        for (rule, severity) in [
            ("high_amount", "high"), ("velocity", "medium"), ("amount_spike", "medium"),
            ("country_hop", "high"), ("duplicate_charge", "medium"),
        ] {
            #expect(MetricsText.value(first, "gateway_alerts_total", ["rule": rule, "severity": severity]) == 0)
        }
        for error in ["_MSG_TIMED_OUT", "_QUEUE_FULL"] {
            #expect(MetricsText.value(first, "gateway_kafka_delivery_errors_total", ["error": error]) == 0)
        }
        #expect(
            MetricsText.value(
                first,
                "gateway_http_requests_total",
                ["route": "/transactions", "method": "POST", "status": "202"]
            ) == 0
        )

        var assigned = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            assigned = try await HTTPClient.send("GET", gateway.baseURL + "/metrics").text
            if Self.sampleNames(assigned).isSuperset(of: perPartition) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(
            Self.sampleNames(assigned).isSuperset(of: perPartition),
            "no lag once partitions were owned:\n\(assigned)"
        )
        let promtool = try MetricsText.checkWithPromtool(assigned)
        #expect(promtool.status == 0 && promtool.output.isEmpty, "\(promtool.output)")
    }

    /// The names of the samples in Prometheus text (`name{labels} value` lines).
    static func sampleNames(_ text: String) -> Set<String> {
        Set(
            text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                line.firstMatch(of: /^[a-zA-Z_:][a-zA-Z0-9_:]*/).map { String($0.output) }
            }
        )
    }
}
