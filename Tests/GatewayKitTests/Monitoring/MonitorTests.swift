import Foundation
import Testing

@testable import GatewayKit

@Suite struct MonitorTests {
    @Test func concurrentRecorders_countEveryTransactionOnce() async {
        let monitor = Fixture.monitor(rules: [.highAmount, .velocity, .amountSpike, .countryHop, .duplicateCharge])
        // 4 tasks each record the same 2,000 ids: every id is applied exactly once.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for i in 0..<2000 {
                        _ = monitor.record(
                            Fixture.tx("t\(i)", account: "acc-\(i % 50)", at: Double(i) / 100),
                            now: Fixture.at(20)
                        )
                    }
                }
            }
        }
        let counters = monitor.counters
        #expect(counters.recorded == 2000)
        #expect(counters.duplicatesSkipped == 6000)
        #expect(monitor.snapshot(now: Fixture.at(20)).total.count == 2000)
    }

    @Test func batchRecord_matchesOneByOne() {
        let transactions = (0..<10).map { Fixture.tx("t\($0 % 8)", amount: $0 == 9 ? "20000" : "10", at: Double($0)) }
        let batch = Fixture.monitor(rules: [.highAmount, .velocity]).record(
            contentsOf: transactions,
            now: Fixture.at(10)
        )
        let single = Fixture.monitor(rules: [.highAmount, .velocity])
        let oneByOne = transactions.map { single.record($0, now: Fixture.at(10)) }
        #expect(batch == oneByOne)
        #expect(batch[8] == nil && batch[9] == nil)  // t0 and t1 again
        #expect(batch[4]?.map(\.rule) == [.velocity])
    }

    @Test func snapshotBeforeAnyRecord_isEmpty() {
        let snapshot = Monitor().snapshot(now: Fixture.start)
        #expect(snapshot.watermark == nil)
        #expect(snapshot.allWindows.allSatisfy { $0.count == 0 && $0.currencies.isEmpty })
    }

    @Test func configurationProblems_areListed() {
        var configuration = MonitorConfiguration()
        configuration.windows = [.seconds(60), .milliseconds(60_000)]
        configuration.dedupeCapacity = 0
        #expect(configuration.problems.count == 2)
        #expect(MonitorConfiguration().problems.isEmpty)
    }
}
