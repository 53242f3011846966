import Foundation
import Testing

@testable import GatewayKit

@Suite struct HighAmountRuleTests {
    @Test func firesAtTheThreshold_notBelow() {
        let monitor = Fixture.monitor(rules: [.highAmount])
        #expect(monitor.feed(Fixture.tx("a", amount: "9999.9999")).isEmpty)
        let alerts = monitor.feed(Fixture.tx("b", amount: "10000", at: 1))
        #expect(alerts.map(\.rule) == [.highAmount])
        #expect(alerts.first?.severity == .high)
        #expect(alerts.first?.transactionIds == ["b"])
        #expect(alerts.first?.amount == Amount(unchecked: 10_000))
    }

    @Test func perCurrencyThreshold_replacesTheDefaultForThatCurrency() {
        let monitor = Fixture.monitor(rules: [.highAmount]) {
            $0.rules.highAmount.perCurrency = ["JPY": Amount(unchecked: 1_500_000)]
        }
        #expect(monitor.feed(Fixture.tx("a", amount: "1499999", currency: "JPY")).isEmpty)
        #expect(monitor.feed(Fixture.tx("b", amount: "1500000", currency: "JPY")).count == 1)
        #expect(monitor.feed(Fixture.tx("c", amount: "10000", currency: "USD")).count == 1)
    }
}
