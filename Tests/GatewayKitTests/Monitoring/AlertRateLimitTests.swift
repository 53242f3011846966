import Foundation
import Testing

@testable import GatewayKit

/// `--alerts-per-account-rule`: at most N alerts per account and rule per minute of event time;
/// the rest counted in /metrics, the next one that passes says how many it follows.
@Suite struct AlertRateLimitTests {
    /// `count` identical charges of `account` one second apart from `start` s: each after the
    /// first is a duplicate_charge.
    static func storm(_ account: String, count: Int, from start: Double = 0) -> [Transaction] {
        (0..<count).map {
            Fixture.tx(
                "\(account)-\(Int(start) + $0)",
                account: account,
                amount: "129.90",
                at: start + Double($0),
                merchant: "m-881"
            )
        }
    }

    static func monitor(limit: Int = 5) -> Monitor {
        Fixture.monitor(rules: [.duplicateCharge, .highAmount]) {
            $0.alertsPerAccountRule = limit
            $0.rules.duplicateCharge.windowSeconds = 120
            $0.rules.highAmount.threshold = try! Amount(validating: "100")
        }
    }

    @Test func storm_raisesLimitPerRule_countsTheRest_andOtherAccountsStillAlert() {
        let monitor = Self.monitor()
        let alerts = Self.storm("acc-storm", count: 30).flatMap { monitor.feed($0) }
        // 30 high_amount alerts and 29 duplicate_charge alerts would fire: 5 of each pass.
        #expect(alerts.filter { $0.rule == .highAmount }.count == 5)
        #expect(alerts.filter { $0.rule == .duplicateCharge }.count == 5)
        #expect(alerts.allSatisfy { $0.suppressedBefore == 0 })
        #expect(monitor.counters.alertsSuppressedByRule == [.highAmount: 25, .duplicateCharge: 24])
        #expect(monitor.counters.alertsByRuleAndSeverity.values.reduce(0, +) == 10)
        let other = Self.storm("acc-other", count: 2, from: 10).flatMap { monitor.feed($0) }
        #expect(other.map(\.rule) == [.highAmount, .highAmount, .duplicateCharge])
    }

    @Test func nextPeriod_passesAgain_andSaysHowManyWereSuppressed() {
        let monitor = Self.monitor(limit: 2)
        for tx in Self.storm("acc-1", count: 10) { monitor.feed(tx) }  // alerts from 0 s (high) and 1 s (duplicate)
        let later = monitor.feed(Fixture.tx("late-1", account: "acc-1", amount: "129.90", at: 61, merchant: "m-881"))
        #expect(later.map(\.rule) == [.highAmount, .duplicateCharge])
        #expect(later.map(\.suppressedBefore) == [8, 7])
        let json = String(decoding: StableJSON.bytes(later[0]) ?? [], as: UTF8.self)
        #expect(json.contains(#""suppressed_before":8"#))
    }

    @Test func zero_meansNoBound() {
        let monitor = Self.monitor(limit: 0)
        let alerts = Self.storm("acc-1", count: 20).flatMap { monitor.feed($0) }
        #expect(alerts.count == 39)
        #expect(monitor.counters.alertsSuppressedByRule.isEmpty)
    }

    @Test func suppressedCounter_isInMetrics_forEveryRule() {
        let monitor = Self.monitor(limit: 1)
        for tx in Self.storm("acc-1", count: 4) { monitor.feed(tx) }
        let service = MonitorService(
            monitor: monitor,
            alerts: AlertStore(capacity: 10),
            producer: StandInProducer(),
            alertsTopic: "transactions.alerts",
            logger: .init(label: "test")
        )
        let text = MonitorMetrics.render(service)
        #expect(text.contains("\ngateway_alerts_suppressed_total{rule=\"high_amount\"} 3\n"))
        #expect(text.contains("\ngateway_alerts_suppressed_total{rule=\"duplicate_charge\"} 2\n"))
        #expect(text.contains("\ngateway_alerts_suppressed_total{rule=\"velocity\"} 0\n"))
    }

    @Test func bound_survivesCheckpointAndRestore() throws {
        let before = Self.monitor(limit: 3)
        for tx in Self.storm("acc-1", count: 5) { before.feed(tx) }
        let after = Self.monitor(limit: 3)
        after.install(try PartitionCheckpointTests.checkpointed(before).state, for: Monitor.unpartitioned)
        // Still the same minute: the budget spent before the checkpoint holds after it.
        #expect(Self.storm("acc-1", count: 5, from: 5).flatMap { after.feed($0) }.isEmpty)
        let later = after.feed(Fixture.tx("late-1", account: "acc-1", amount: "129.90", at: 61, merchant: "m-881"))
        // high_amount: 2 suppressed before the checkpoint, 5 after; duplicate_charge: 1 and 5.
        #expect(later.map(\.suppressedBefore) == [7, 6])
    }

    @Test func versionOneCheckpoint_isStillRead_withFreshBudgets() throws {
        let before = Self.monitor(limit: 3)
        for tx in Self.storm("acc-1", count: 5) { before.feed(tx) }
        let state = try #require(before.state(of: Monitor.unpartitioned))
        let bytes = PartitionCheckpoint(partition: 2, coveredOffset: 9, createdAt: 0, writer: "old", state: state)
            .encoded(version: 1)
        let restored = try PartitionCheckpoint(decoding: bytes, configuration: before.configuration)
        #expect(restored.coveredOffset == 9 && restored.state.accounts.count == 1)
        let account = try #require(restored.state.accounts.state(of: "acc-1"))
        #expect(account.alertRate.isEmpty && account.duplicateCharge.recent.count == 5)
    }
}
