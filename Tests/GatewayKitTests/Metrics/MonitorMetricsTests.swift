import Logging
import Testing

@testable import GatewayKit

/// What the monitor computes about its own bounds shows in `/metrics`.
@Suite struct MonitorMetricsTests {
    @Test func evictionsDedupeEntriesAccountsAndFutureRecords_areExposed() {
        let monitor = Fixture.monitor(rules: [.velocity]) { $0.maxAccounts = 2 }
        for account in ["acc-1", "acc-2", "acc-3"] { monitor.feed(Fixture.tx("tx-\(account)", account: account)) }
        // An hour ahead of the monitor's clock: beyond the default 300 s future skew.
        _ = monitor.record(Fixture.tx("tx-future", account: "acc-3", at: 3600), now: Fixture.at(0))
        let service = MonitorService(
            monitor: monitor,
            alerts: AlertStore(capacity: 10),
            producer: StandInProducer(),
            alertsTopic: "transactions.alerts",
            logger: Logger(label: "test")
        )
        let text = MonitorMetrics.render(service)
        #expect(text.contains("\ngateway_monitor_accounts_tracked 2\n"))
        #expect(text.contains("\ngateway_monitor_accounts_evicted_total 1\n"))
        #expect(text.contains("\ngateway_monitor_dedupe_entries 4\n"))
        #expect(text.contains("\ngateway_monitor_future_records_total 1\n"))
        #expect(text.contains("# TYPE gateway_monitor_accounts_evicted_total counter"))
    }

    @Test func beforeAnyAlert_eachEnabledRuleHasItsSeverityAtZero_andEveryChannelIsThere() {
        let monitor = Fixture.monitor(rules: [.highAmount, .velocity]) { $0.rules.velocity.severity = .critical }
        let text = MonitorMetrics.render(Self.service(monitor))
        #expect(text.contains("\ngateway_alerts_total{rule=\"high_amount\",severity=\"high\"} 0\n"))
        #expect(text.contains("\ngateway_alerts_total{rule=\"velocity\",severity=\"critical\"} 0\n"))
        #expect(!text.contains("gateway_alerts_total{rule=\"country_hop\""), "a disabled rule has no series")
        for channel in Channel.allCases {
            #expect(
                text.contains(
                    "\ngateway_window_transactions_by_channel{window=\"1m\",channel=\"\(channel.rawValue)\"} 0\n"
                )
            )
        }
        // Labelled by data: declared, with no series yet.
        #expect(text.contains("# TYPE gateway_transaction_amount histogram\n"))
        #expect(!text.contains("\ngateway_transaction_amount_bucket"))
    }

    @Test func anAlertCounts_onTheSeriesThatWasAtZero() {
        let monitor = Fixture.monitor(rules: [.highAmount])
        monitor.feed(Fixture.tx("tx-big", account: "acc-1", amount: "25000.00"))
        let text = MonitorMetrics.render(Self.service(monitor))
        #expect(text.contains("\ngateway_alerts_total{rule=\"high_amount\",severity=\"high\"} 1\n"), "\(text)")
        #expect(text.components(separatedBy: "gateway_alerts_total{").count == 2, "one series, not a second one")
    }

    private static func service(_ monitor: Monitor) -> MonitorService {
        MonitorService(
            monitor: monitor,
            alerts: AlertStore(capacity: 10),
            producer: StandInProducer(),
            alertsTopic: "transactions.alerts",
            logger: Logger(label: "test")
        )
    }
}
