import Foundation
import Testing
@testable import Gateway

@Suite struct AlertTests {
    static func alert(_ ids: [String] = ["t1"], rule: AlertRuleName = .highAmount, detectedAt: Date = Fixture.start) -> Alert {
        Alert(rule: rule, severity: .high, accountId: "acc-1", transactionIds: ids,
              amount: Amount(unchecked: Decimal(string: "12000.5")!), currency: "USD", reason: "test",
              eventTime: Fixture.at(-1), detectedAt: detectedAt)
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
        #expect(Set(json.keys) == ["id", "rule", "severity", "account_id", "transaction_ids", "amount", "currency", "reason", "event_time", "detected_at"])
        #expect(json["amount"] as? String == "12000.5")
        #expect(json["rule"] as? String == "high_amount")
        #expect(json["detected_at"] as? String == "2023-11-14T22:13:20.000Z")
        #expect(json["event_time"] as? String == "2023-11-14T22:13:19.000Z")
    }

    @Test func json_roundTrips() throws {
        let alert = Self.alert()
        #expect(try JSONDecoder().decode(Alert.self, from: JSONEncoder().encode(alert)) == alert)
    }

    @Test func sha256_matchesTheStandardTestVectors() {
        func hex(_ text: String) -> String {
            SHA256.hash(Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
        }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
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
