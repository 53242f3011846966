import Foundation
import Testing

@testable import GatewayKit

@Suite struct DedupeWindowTests {
    @Test func sameId_isCountedOnce() {
        let monitor = Fixture.monitor()
        #expect(monitor.record(Fixture.tx("a", at: 0), now: Fixture.at(0)) == [])
        #expect(monitor.record(Fixture.tx("a", at: 0), now: Fixture.at(1)) == nil)
        #expect(monitor.record(Fixture.tx("a", amount: "99", at: 5), now: Fixture.at(2)) == nil)
        let counters = monitor.counters
        #expect(counters.recorded == 1)
        #expect(counters.duplicatesSkipped == 2)
        #expect(monitor.window("total", now: Fixture.at(2)).count == 1)
    }

    @Test func duplicate_raisesNoAlertAgain() {
        let monitor = Fixture.monitor(rules: [.highAmount])
        #expect(monitor.feed(Fixture.tx("big", amount: "20000")).count == 1)
        #expect(monitor.record(Fixture.tx("big", amount: "20000"), now: Fixture.at(1)) == nil)
    }

    @Test func idBeyondTheTimeWindow_isCountedAgain() {
        var dedupe = DedupeWindow(windowMilliseconds: 600_000, capacity: 10)
        let applied = [0, 600_000, 600_001, 600_002].map { dedupe.insert("a", now: $0) }
        // The window is inclusive: at exactly 10 minutes "a" is still a duplicate.
        #expect(applied == [true, false, true, false])
    }

    @Test func idBeyondTheCapacity_isCountedAgain() {
        var dedupe = DedupeWindow(windowMilliseconds: 600_000, capacity: 3)
        // "d" makes the window forget "a", the oldest, so "a" is applied again; "c" is still known.
        let applied = ["a", "b", "c", "a", "d", "a", "c"].map { dedupe.insert($0, now: 0) }
        #expect(applied == [true, true, true, false, true, true, false])
        #expect(dedupe.count == 3)
    }

    @Test func monitorDedupeCapacity_isConfigurable() {
        let monitor = Fixture.monitor { $0.dedupeCapacity = 2 }
        for id in ["a", "b", "c", "a"] { #expect(monitor.record(Fixture.tx(id), now: Fixture.at(0)) != nil) }
        #expect(monitor.counters.recorded == 4)
        #expect(monitor.counters.dedupeEntries == 2)
    }
}
