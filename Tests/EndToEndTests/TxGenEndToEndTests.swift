import Foundation
import TestSupport
import Testing

/// txgen driving the real gateway: everything it sent is accepted, in Kafka, and every fraud
/// pattern it injected comes back as the matching alert.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TxGenEndToEndTests {
    static func txgen(_ arguments: [String], timeout: Duration = .seconds(90)) throws -> (status: Int32, stdout: String)
    {
        let txgen = try GatewayProcess.binary().deletingLastPathComponent().appendingPathComponent("txgen")
        let result = try runProcess(txgen, arguments, timeout: timeout)
        return (result.status, result.stdout)
    }

    @Test func seededRun_isAcceptedInKafka_andEveryInjectedPatternRaisesItsAlert() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        try await MonitoringEndToEndTests.waitForPartitions([gateway], 6)
        let report = FileManager.default.temporaryDirectory.appendingPathComponent(
            "txgen-expect-\(UUID().uuidString).json"
        )
        defer { try? FileManager.default.removeItem(at: report) }
        let count = 2000
        let run = try Self.txgen([
            "--url", "\(gateway.baseURL)/transactions", "--seed", "7", "--count", "\(count)",
            "--rate", "0", "--concurrency", "16", "--fraud-share", "0.05",
            "--expect-report", report.path, "--json", "--quiet",
        ])
        #expect(run.status == 0)
        let summary = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(summary["accepted"] as? Int == count)
        #expect(summary["errors"] as? Int == 0)

        let records = try Kcat.consume(
            bootstrap: gateway.bootstrapServers,
            topic: "transactions",
            count: count,
            timeout: .seconds(60)
        )
        #expect(records.count == count)
        let metrics = try await MonitoringEndToEndTests.waitFor(
            gateway,
            "gateway_monitor_recorded_total",
            Double(count)
        )
        #expect(MetricsText.value(metrics, "gateway_kafka_produced_total") == Double(count))

        let expected = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [[String: Any]])
        let injected = Set(
            expected.compactMap { entry -> String? in
                guard let rule = entry["rule"] as? String, let account = entry["account_id"] as? String else {
                    return nil
                }
                return "\(rule)/\(account)"
            }
        )
        #expect(
            Set(expected.compactMap { $0["rule"] as? String }) == [
                "high_amount", "velocity", "amount_spike", "country_hop", "duplicate_charge",
            ]
        )

        var raised: Set<String> = []
        var cursor: String?
        repeat {
            let page = try await HTTPClient.send(
                "GET",
                "\(gateway.baseURL)/alerts?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? "")
            ).json()
            for alert in page["alerts"] as? [[String: Any]] ?? [] {
                raised.insert("\(alert["rule"] as? String ?? "")/\(alert["account_id"] as? String ?? "")")
            }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        #expect(
            injected.subtracting(raised).isEmpty,
            "injected but not raised: \(injected.subtracting(raised).sorted())"
        )
        #expect(
            raised.subtracting(injected).isEmpty,
            "raised but not injected: \(raised.subtracting(injected).sorted())"
        )
    }

    @Test func gatewayDown_isAClearFailure() throws {
        // Port 1 on loopback: nothing listens there.
        let run = try Self.txgen(
            ["--url", "http://127.0.0.1:1/transactions", "--count", "20", "--rate", "0", "--quiet"],
            timeout: .seconds(30)
        )
        #expect(run.status != 0)
    }
}
