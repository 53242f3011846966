import Foundation
import Testing

@testable import GatewayKit

@Suite struct AmountSpikeRuleTests {
    private func history(_ monitor: Monitor, _ amounts: [String]) {
        for (i, amount) in amounts.enumerated() {
            #expect(monitor.feed(Fixture.tx("h\(i)", amount: amount, at: Double(i) * 100)).isEmpty)
        }
    }

    @Test func firesAboveFiveTimesTheMean_notAtIt() {
        let monitor = Fixture.monitor(rules: [.amountSpike])
        history(monitor, ["50", "150", "100", "100", "100"])  // mean 100
        #expect(monitor.feed(Fixture.tx("same", amount: "500", at: 1000)).isEmpty)
        // Mean now (500 + 500) / 6 = 166.66..., 5x = 833.33...
        #expect(monitor.feed(Fixture.tx("below", amount: "833.3333", at: 1100)).isEmpty)
        let alerts = monitor.feed(Fixture.tx("spike", amount: "5000", at: 1200))
        #expect(alerts.map(\.rule) == [.amountSpike])
        #expect(alerts.first?.transactionIds == ["spike"])
        #expect(alerts.first?.severity == .medium)
    }

    @Test func justAboveFiveTimesTheMean_fires() {
        let monitor = Fixture.monitor(rules: [.amountSpike])
        history(monitor, ["100", "100", "100", "100", "100"])
        #expect(monitor.feed(Fixture.tx("spike", amount: "500.0001", at: 1000)).count == 1)
    }

    @Test func needsFiveEarlierTransactions() {
        let monitor = Fixture.monitor(rules: [.amountSpike])
        history(monitor, ["100", "100", "100", "100"])
        #expect(monitor.feed(Fixture.tx("fifth", amount: "10000", at: 1000)).isEmpty)
        // Now 5 earlier ones (mean 2080): the sixth is compared.
        #expect(monitor.feed(Fixture.tx("sixth", amount: "10400.0001", at: 1100)).count == 1)
    }

    @Test func otherCurrencies_areNeitherCheckedNorCounted() {
        let monitor = Fixture.monitor(rules: [.amountSpike])
        history(monitor, ["100", "100", "100", "100", "100"])
        #expect(monitor.feed(Fixture.tx("jpy", amount: "100000", currency: "JPY", at: 1000)).isEmpty)
        #expect(monitor.feed(Fixture.tx("usd", amount: "600", at: 1100)).count == 1)
    }
}
