import Foundation
import Testing

@testable import GatewayKit

@Suite struct VelocityRuleTests {
    private func alerts(_ monitor: Monitor, _ times: [Double], prefix: String = "t") -> [[Alert]] {
        times.enumerated().map { monitor.feed(Fixture.tx("\(prefix)\($0.offset)", at: $0.element)) }
    }

    @Test func fifthWithin60s_fires_onceUntilANewBurst() {
        let monitor = Fixture.monitor(rules: [.velocity])
        let burst = alerts(monitor, [0, 10, 20, 30, 40, 41, 42, 43])
        #expect(burst.map(\.count) == [0, 0, 0, 0, 1, 0, 0, 0])
        let alert = burst[4][0]
        #expect(alert.rule == .velocity)
        #expect(alert.severity == .medium)
        #expect(alert.transactionIds == ["t0", "t1", "t2", "t3", "t4"])
        // 200 s later the window has emptied: a new burst fires again on its fifth.
        let next = alerts(monitor, [200, 201, 202, 203, 204], prefix: "n")
        #expect(next.map(\.count) == [0, 0, 0, 0, 1])
    }

    /// Concurrent clients: one account's transactions may reach the monitor out of event-time order.
    @Test func burstArrivingOutOfOrder_firesOnce_withItsTransactionsInTimeOrder() {
        let monitor = Fixture.monitor(rules: [.velocity])
        let burst = alerts(monitor, [0, 10, 20, 40, 30, 41])
        #expect(burst.map(\.count) == [0, 0, 0, 0, 1, 0])
        #expect(burst[4].first?.transactionIds == ["t0", "t1", "t2", "t4", "t3"])
        let earliestLast = Fixture.monitor(rules: [.velocity])
        #expect(alerts(earliestLast, [10, 20, 30, 40, 0], prefix: "e").map(\.count) == [0, 0, 0, 0, 1])
    }

    @Test func fourWithin60s_doesNotFire() {
        let monitor = Fixture.monitor(rules: [.velocity])
        #expect(alerts(monitor, [0, 1, 2, 3]).allSatisfy { $0.isEmpty })
    }

    @Test func fiveSpanningExactly60s_fires() {
        let monitor = Fixture.monitor(rules: [.velocity])
        #expect(alerts(monitor, [0, 15, 30, 45, 60]).map(\.count) == [0, 0, 0, 0, 1])
    }

    @Test func fiveSpanningJustOver60s_doesNotFire() {
        let monitor = Fixture.monitor(rules: [.velocity])
        #expect(alerts(monitor, [0, 15, 30, 45, 60.001]).allSatisfy { $0.isEmpty })
    }

    @Test func steadyStreamAtTheThreshold_isOneBurst() {
        let monitor = Fixture.monitor(rules: [.velocity])
        // Every 14 s: each window of 60 s holds 5 transactions, so the burst never ends.
        let fired = alerts(monitor, (0..<20).map { Double($0) * 14 }).map(\.count)
        #expect(fired.reduce(0, +) == 1)
        #expect(fired[4] == 1)
    }

    @Test func accountsAreCountedSeparately() {
        let monitor = Fixture.monitor(rules: [.velocity])
        for i in 0..<8 {
            #expect(monitor.feed(Fixture.tx("t\(i)", account: "acc-\(i % 2)", at: Double(i))).isEmpty)
        }
        #expect(monitor.feed(Fixture.tx("t8", account: "acc-0", at: 8)).count == 1)
    }

    @Test func countAndWindowAreConfigurable() {
        let monitor = Fixture.monitor(rules: [.velocity]) {
            $0.rules.velocity.count = 3
            $0.rules.velocity.windowSeconds = 10
        }
        #expect(alerts(monitor, [0, 5, 10.001, 11]).map(\.count) == [0, 0, 0, 1])
    }
}
