import Foundation
import Testing

@testable import GatewayKit

@Suite struct AlertStoreTests {
    private func alert(
        _ n: Int,
        at seconds: Double,
        rule: AlertRuleName = .highAmount,
        severity: AlertSeverity = .high,
        account: String = "acc-1"
    ) -> Alert {
        Alert(
            rule: rule,
            severity: severity,
            accountId: account,
            transactionIds: ["t\(n)"],
            amount: Amount(unchecked: 1),
            currency: "USD",
            reason: "r",
            eventTime: Fixture.at(seconds),
            detectedAt: Fixture.at(seconds)
        )
    }

    private func ids(_ page: AlertPage) -> [String] { page.alerts.map { $0.transactionIds[0] } }

    @Test func query_isNewestFirst_tiesByArrival() {
        let store = AlertStore()
        store.add(alert(1, at: 10))
        store.add(alert(2, at: 30))
        store.add(alert(3, at: 20))
        store.add(alert(4, at: 30))  // same detected_at as t2, added later: comes first
        #expect(ids(store.query(AlertQuery())) == ["t4", "t2", "t3", "t1"])
    }

    @Test func duplicateId_isRejected() {
        let store = AlertStore()
        #expect(store.add(alert(1, at: 0)))
        #expect(!store.add(alert(1, at: 5)))
        #expect(store.count == 1)
    }

    @Test func filters_ruleSeverityAccountAndSince() {
        let store = AlertStore()
        store.add(alert(1, at: 0, rule: .velocity, severity: .medium))
        store.add(alert(2, at: 10, rule: .highAmount, severity: .high, account: "acc-2"))
        store.add(alert(3, at: 20, rule: .velocity, severity: .medium, account: "acc-2"))
        store.add(alert(4, at: 30, rule: .countryHop, severity: .high))
        #expect(ids(store.query(AlertQuery(rule: .velocity))) == ["t3", "t1"])
        #expect(ids(store.query(AlertQuery(severity: .high))) == ["t4", "t2"])
        #expect(ids(store.query(AlertQuery(accountId: "acc-2"))) == ["t3", "t2"])
        #expect(ids(store.query(AlertQuery(since: Fixture.at(10)))) == ["t4", "t3", "t2"])
        #expect(ids(store.query(AlertQuery(rule: .velocity, accountId: "acc-2", since: Fixture.at(5)))) == ["t3"])
    }

    @Test func cursorPaging_returnsEveryMatchOnceInOrder() throws {
        let store = AlertStore()
        for n in 0..<25 { store.add(alert(n, at: Double(n / 2), severity: n % 3 == 0 ? .low : .high)) }
        var seen: [String] = []
        var query = AlertQuery(severity: .high, limit: 4)
        var pages = 0
        while true {
            let page = store.query(query)
            seen += ids(page)
            pages += 1
            guard let next = page.nextCursor else { break }
            let cursor: AlertCursor = try #require(AlertCursor(encoded: next))
            query.cursor = cursor
        }
        let expected = (0..<25).filter { $0 % 3 != 0 }.reversed().map { "t\($0)" }
        #expect(seen == expected)
        #expect(pages == 4)  // 16 matches: 4 full pages, the last without a next cursor
    }

    @Test func lastPage_hasNoCursor_andJSONSaysNull() throws {
        let store = AlertStore()
        store.add(alert(1, at: 0))
        let page = store.query(AlertQuery(limit: 1))
        #expect(page.nextCursor == nil)
        let json = String(decoding: try JSONEncoder().encode(page), as: UTF8.self)
        #expect(json.contains(#""next_cursor":null"#))
    }

    @Test func capacity_evictsTheOldest() {
        let store = AlertStore(capacity: 3)
        for n in [1, 2, 3, 4] { #expect(store.add(alert(n, at: Double(n)))) }
        #expect(store.count == 3)
        #expect(ids(store.query(AlertQuery())) == ["t4", "t3", "t2"])
        #expect(!store.add(alert(0, at: 0)))  // older than everything kept
        #expect(store.add(alert(1, at: 3.5)))  // its old copy was evicted; this one evicts t2
        #expect(ids(store.query(AlertQuery())) == ["t4", "t1", "t3"])
    }

    @Test func cursor_survivesEvictionOfItsAlert() throws {
        let store = AlertStore(capacity: 4)
        for n in 0..<4 { store.add(alert(n, at: Double(n))) }
        let first = store.query(AlertQuery(limit: 2))
        #expect(ids(first) == ["t3", "t2"])
        store.add(alert(4, at: 4))  // evicts t0
        store.add(alert(5, at: 5))  // evicts t1
        store.add(alert(6, at: 6))  // evicts t2, the cursor's alert
        let cursor = try #require(first.nextCursor.flatMap(AlertCursor.init(encoded:)))
        #expect(ids(store.query(AlertQuery(cursor: cursor))) == [])
        let page = store.query(AlertQuery(limit: 2))
        let next = try #require(page.nextCursor.flatMap(AlertCursor.init(encoded:)))
        #expect(ids(store.query(AlertQuery(cursor: next))) == ["t4", "t3"])
    }
}
