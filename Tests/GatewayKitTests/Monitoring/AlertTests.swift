import Foundation
import Testing

@testable import GatewayKit

@Suite struct AlertTests {
    static func alert(
        _ ids: [String] = ["t1"],
        rule: AlertRuleName = .highAmount,
        detectedAt: Date = Fixture.start
    ) -> Alert {
        Alert(
            rule: rule,
            severity: .high,
            accountId: "acc-1",
            transactionIds: ids,
            amount: Amount(unchecked: Decimal(string: "12000.5")!),
            currency: "USD",
            reason: "test",
            eventTime: Fixture.at(-1),
            detectedAt: detectedAt
        )
    }

    @Test func id_isDeterministicFromRuleAndTransactionIds() {
        let first = Self.alert(["a", "b"], detectedAt: Fixture.at(0))
        let again = Self.alert(["a", "b"], detectedAt: Fixture.at(99))
        #expect(first.id == again.id)
        #expect(first.id.count == 32)
        #expect(first.id.allSatisfy { $0.isHexDigit })
        #expect(Self.alert(["a", "b"], rule: .velocity).id != first.id)
        #expect(Self.alert(["b", "a"]).id != first.id)
        // Length prefixes: the split between ids matters.
        #expect(Self.alert(["ab", "c"]).id != Self.alert(["a", "bc"]).id)
    }

    @Test func json_hasTheDocumentedShape() throws {
        let data = try JSONEncoder().encode(Self.alert())
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "id", "rule", "severity", "account_id", "transaction_ids", "amount", "currency", "reason", "event_time",
                "detected_at",
            ]
        )
        #expect(json["amount"] as? String == "12000.5")
        #expect(json["rule"] as? String == "high_amount")
        #expect(json["detected_at"] as? String == "2023-11-14T22:13:20.000Z")
        #expect(json["event_time"] as? String == "2023-11-14T22:13:19.000Z")
    }

    @Test func json_roundTrips() throws {
        let alert = Self.alert()
        #expect(try JSONDecoder().decode(Alert.self, from: JSONEncoder().encode(alert)) == alert)
    }

    @Test func fnv1a128_matchesTheReferenceValues() {
        // Reference values of FNV-1a 128 (the offset basis for empty input; "a" from the spec's test suite).
        #expect(FNV1a128.hex([]) == "6c62272e07bb014262b821756295c58d")
        #expect(FNV1a128.hex(Array("a".utf8)) == "d228cb696f1a8caf78912b704e4a8964")
    }

    @Test func alertID_isDeterministic_andDependsOnRuleAndIds() {
        let id = Alert.id(rule: .velocity, transactionIds: ["a", "b"])
        #expect(id.count == 32)
        #expect(id == Alert.id(rule: .velocity, transactionIds: ["a", "b"]))
        #expect(id != Alert.id(rule: .velocity, transactionIds: ["ab"]))
        #expect(id != Alert.id(rule: .highAmount, transactionIds: ["a", "b"]))
    }

    @Test func monitorAlert_carriesTheTriggeringTransaction() throws {
        let monitor = Fixture.monitor(rules: [.highAmount])
        let tx = Fixture.tx("big", account: "acc-9", amount: "12345.67", currency: "EUR", at: 5)
        let alert = try #require(monitor.record(tx, now: Fixture.at(7))?.first)
        #expect(alert.accountId == "acc-9")
        #expect(alert.amount == tx.amount)
        #expect(alert.currency == "EUR")
        #expect(alert.eventTime == Fixture.at(5))
        #expect(alert.detectedAt == Fixture.at(7))
        #expect(alert.id == Alert.id(rule: .highAmount, transactionIds: ["big"]))
        #expect(monitor.counters.alertsByRuleAndSeverity == [AlertKey(rule: .highAmount, severity: .high): 1])
    }
}
