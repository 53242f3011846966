import Foundation
import Testing

@testable import GatewayKit

@Suite struct AccountTableTests {
    @Test func full_evictsTheLeastRecentlySeen() {
        var table = AccountTable(capacity: 2)
        table.withState(of: "a") { $0.amountSpike.count = 1 }
        table.withState(of: "b") { $0.amountSpike.count = 2 }
        table.withState(of: "a") { _ in }  // "a" is now the most recent
        table.withState(of: "c") { $0.amountSpike.count = 3 }
        #expect(table.count == 2)
        #expect(table.evictions == 1)
        #expect(table.state(of: "b") == nil)
        #expect(table.state(of: "a")?.amountSpike.count == 1)
        #expect(table.state(of: "c")?.amountSpike.count == 3)
    }

    @Test func evictedAccount_startsOverWithEmptyState() {
        var table = AccountTable(capacity: 1)
        table.withState(of: "a") { $0.amountSpike.count = 7 }
        table.withState(of: "b") { _ in }
        let count = table.withState(of: "a") { $0.amountSpike.count }
        #expect(count == 0)
    }

    @Test func manyAccounts_stayWithinCapacity_inLRUOrder() {
        var table = AccountTable(capacity: 100)
        for i in 0..<1000 { table.withState(of: "acc-\(i)") { $0.amountSpike.count = UInt64(i) } }
        #expect(table.count == 100)
        #expect(table.evictions == 900)
        #expect((900..<1000).allSatisfy { table.state(of: "acc-\($0)")?.amountSpike.count == UInt64($0) })
        #expect(table.state(of: "acc-899") == nil)
    }

    @Test func monitorMaxAccounts_boundsTheRuleState() {
        let monitor = Fixture.monitor(rules: [.velocity]) { $0.maxAccounts = 10 }
        for i in 0..<50 { monitor.feed(Fixture.tx("t\(i)", account: "acc-\(i)", at: Double(i))) }
        #expect(monitor.counters.accountsTracked == 10)
        #expect(monitor.counters.accountsEvicted == 40)
    }
}
