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
}
