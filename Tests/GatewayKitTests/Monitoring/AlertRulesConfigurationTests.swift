import Foundation
import Testing

@testable import GatewayKit

@Suite struct AlertRulesConfigurationTests {
    private func decode(_ json: String) throws -> AlertRulesConfiguration {
        try AlertRulesConfiguration.decode(from: Data(json.utf8))
    }

    @Test func emptyObject_givesTheDefaults() throws {
        #expect(try decode("{}") == AlertRulesConfiguration())
    }

    @Test func partialFile_keepsTheDefaultsItLeavesOut() throws {
        let config = try decode(
            """
            {"high_amount": {"per_currency": {"JPY": 1500000, "KWD": "3000.5"}},
             "velocity": {"count": 10}, "country_hop": {"enabled": false, "severity": "critical"}}
            """
        )
        #expect(config.highAmount.threshold == Amount(unchecked: 10_000))
        #expect(config.highAmount.perCurrency["JPY"] == Amount(unchecked: 1_500_000))
        #expect(config.highAmount.perCurrency["KWD"]?.description == "3000.5")
        #expect(config.velocity.count == 10)
        #expect(config.velocity.windowSeconds == 60)
        #expect(config.countryHop.enabled == false)
        #expect(config.countryHop.severity == .critical)
        #expect(config.amountSpike == AlertRulesConfiguration.AmountSpike())
    }

    @Test func unknownKey_isRejected() {
        #expect(throws: DecodingError.self) { try decode(#"{"velocity": {"cuont": 3}}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"velocty": {}}"#) }
    }

    @Test func invalidValues_areRejected() {
        #expect(throws: DecodingError.self) { try decode(#"{"velocity": {"count": 0}}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"duplicate_charge": {"window_seconds": -1}}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"high_amount": {"threshold": "-5"}}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"high_amount": {"severity": "urgent"}}"#) }
    }

    @Test func disabledRule_raisesNothing() throws {
        var configuration = MonitorConfiguration()
        configuration.rules = try decode(#"{"high_amount": {"enabled": false}}"#)
        let monitor = Monitor(configuration: configuration)
        #expect(monitor.feed(Fixture.tx("big", amount: "50000")).isEmpty)
    }

    @Test func encodedConfiguration_decodesToTheSame() throws {
        var config = AlertRulesConfiguration()
        config.highAmount.perCurrency = ["JPY": Amount(unchecked: 1_500_000)]
        config.amountSpike.multiplier = Amount(unchecked: Decimal(string: "7.5")!)
        #expect(try AlertRulesConfiguration.decode(from: JSONEncoder().encode(config)) == config)
    }
}
