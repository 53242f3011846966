import Foundation
import Testing

@testable import GatewayKit

@Suite struct DuplicateChargeRuleTests {
    @Test func sameMerchantAndAmountWithin30s_fires() {
        let monitor = Fixture.monitor(rules: [.duplicateCharge])
        #expect(monitor.feed(Fixture.tx("a", amount: "42.5", at: 0)).isEmpty)
        let alerts = monitor.feed(Fixture.tx("b", amount: "42.50", at: 30))
        #expect(alerts.map(\.rule) == [.duplicateCharge])
        #expect(alerts.first?.transactionIds == ["a", "b"])
        #expect(alerts.first?.severity == .medium)
    }

    @Test func justOver30s_doesNotFire() {
        let monitor = Fixture.monitor(rules: [.duplicateCharge])
        monitor.feed(Fixture.tx("a", amount: "42.5", at: 0))
        #expect(monitor.feed(Fixture.tx("b", amount: "42.5", at: 30.001)).isEmpty)
    }

    @Test func differentMerchantAmountOrAccount_doesNotFire() {
        let monitor = Fixture.monitor(rules: [.duplicateCharge])
        monitor.feed(Fixture.tx("a", amount: "42.5", at: 0))
        #expect(monitor.feed(Fixture.tx("b", amount: "42.5", at: 1, merchant: "merchant-2")).isEmpty)
        #expect(monitor.feed(Fixture.tx("c", amount: "42.51", at: 2)).isEmpty)
        #expect(monitor.feed(Fixture.tx("d", account: "acc-2", amount: "42.5", at: 3)).isEmpty)
        #expect(monitor.feed(Fixture.tx("e", amount: "42.5", at: 4, merchant: nil)).isEmpty)
    }

    @Test func sameIdAgain_isNotADuplicateCharge() {
        // The dedupe window normally hides a redelivery; the rule must not count it either.
        let rule = DuplicateChargeRule(AlertRulesConfiguration().duplicateCharge)
        var state = DuplicateChargeRule.State()
        let drafts = [("a", 0.0), ("a", 1), ("b", 2)].map { id, at in
            rule.evaluate(RuleInput(Fixture.tx(id, at: at)), state: &state)?.transactionIds
        }
        #expect(drafts == [nil, nil, ["a", "b"]])
    }

    @Test func eachFurtherIdenticalCharge_firesAgain() {
        let monitor = Fixture.monitor(rules: [.duplicateCharge])
        let fired = (0..<3).map { monitor.feed(Fixture.tx("t\($0)", at: Double($0))).map(\.transactionIds) }
        #expect(fired == [[], [["t0", "t1"]], [["t1", "t2"]]])
    }
}
