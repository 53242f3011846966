import Foundation
import Testing

@testable import GatewayKit

@Suite struct CountryHopRuleTests {
    @Test func twoCountriesWithinTenMinutes_fires() {
        let monitor = Fixture.monitor(rules: [.countryHop])
        #expect(monitor.feed(Fixture.tx("us", at: 0, country: "US")).isEmpty)
        let alerts = monitor.feed(Fixture.tx("br", at: 600, country: "BR"))
        #expect(alerts.map(\.rule) == [.countryHop])
        #expect(alerts.first?.severity == .high)
        #expect(alerts.first?.transactionIds == ["us", "br"])
    }

    @Test func justOverTenMinutes_doesNotFire() {
        let monitor = Fixture.monitor(rules: [.countryHop])
        monitor.feed(Fixture.tx("us", at: 0, country: "US"))
        #expect(monitor.feed(Fixture.tx("br", at: 600.001, country: "BR")).isEmpty)
    }

    @Test func firesOnEachChangeOfCountry_notOnEachTransactionAbroad() {
        let monitor = Fixture.monitor(rules: [.countryHop])
        let countries = ["US", "BR", "BR", "BR", "US"]
        let fired = countries.enumerated().map {
            monitor.feed(Fixture.tx("t\($0.offset)", at: Double($0.offset) * 10, country: $0.element)).count
        }
        #expect(fired == [0, 1, 0, 0, 1])
    }

    @Test func transactionsWithoutCountry_areIgnored() {
        let monitor = Fixture.monitor(rules: [.countryHop])
        monitor.feed(Fixture.tx("us", at: 0, country: "US"))
        #expect(monitor.feed(Fixture.tx("none", at: 10, country: nil)).isEmpty)
        #expect(monitor.feed(Fixture.tx("br", at: 20, country: "BR")).first?.transactionIds == ["us", "br"])
    }
}
