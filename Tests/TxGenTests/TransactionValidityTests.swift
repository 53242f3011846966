import Foundation
import Testing

@testable import TxGenKit

@Suite struct TransactionValidityTests {
    /// ISO 4217 currency of each country the generator may use: written out here, independently
    /// of the generator's table, so a wrong pairing there is caught.
    static let currencyOfCountry = [
        "BR": "BRL", "US": "USD", "MX": "MXN", "PT": "EUR", "ES": "EUR", "DE": "EUR", "FR": "EUR", "IT": "EUR",
        "NL": "EUR", "GB": "GBP", "CA": "CAD", "AU": "AUD", "CH": "CHF", "PL": "PLN", "SE": "SEK",
    ]
    static let channels: Set = ["card_present", "card_not_present", "pix", "transfer", "atm", "other"]
    static let keys: Set = [
        "id", "account_id", "amount", "currency", "merchant_id", "merchant_category",
        "country", "channel", "timestamp",
    ]

    @Test func everyGeneratedTransaction_isValidPerTheGatewayContract() throws {
        let (ndjson, _) = generate(seed: 99, count: 20_000, fraudShare: 0.05)
        let lines = ndjson.split(separator: "\n")
        #expect(lines.count == 20_000)
        #expect(ndjson.hasSuffix("\n"))
        let idPattern = #/[A-Za-z0-9._:\-]{1,64}/#
        let amountPattern = #/[0-9]+(\.[0-9]{1,4})?/#
        var ids = Set<String>()
        for line in lines {
            let tx = try #require(WireTransaction(line: line), "not a transaction: \(line)")
            #expect(Set(tx.fields.keys) == Self.keys, "unexpected keys in \(line)")
            #expect(tx.id.wholeMatch(of: idPattern) != nil, "bad id \(tx.id)")
            #expect(tx.accountID.wholeMatch(of: idPattern) != nil, "bad account_id \(tx.accountID)")
            #expect(tx.merchantID.wholeMatch(of: idPattern) != nil, "bad merchant_id \(tx.merchantID)")
            #expect(tx.amountText.wholeMatch(of: amountPattern) != nil, "bad amount \(tx.amountText)")
            #expect(tx.amountMinor > 0, "amount must be > 0: \(tx.amountText)")
            #expect(tx.merchantCategory.wholeMatch(of: #/[0-9]{4}/#) != nil, "bad MCC \(tx.merchantCategory)")
            #expect(tx.country.wholeMatch(of: #/[A-Z]{2}/#) != nil, "bad country \(tx.country)")
            #expect(Self.currencyOfCountry[tx.country] == tx.currency, "\(tx.currency) in \(tx.country)")
            #expect(Self.channels.contains(tx.channel), "bad channel \(tx.channel)")
            if tx.channel == "pix" { #expect(tx.country == "BR", "pix outside Brazil: \(line)") }
            if tx.merchantCategory == "6011" { #expect(tx.channel == "atm") }
            #expect(tx.timestampText.hasSuffix("Z"))
            ids.insert(tx.id)
        }
        #expect(ids.count == lines.count, "transaction ids must be unique")
    }

    @Test func eventTime_advancesOneStepPerTransaction() throws {
        let (ndjson, _) = generate(seed: 5, count: 1_000, fraudShare: 0.01)
        let stream = try #require(WireTransaction.decode(ndjson))
        #expect(stream.first?.timestampText == "2026-01-01T00:00:00.000Z")
        for (earlier, later) in zip(stream, stream.dropFirst()) {
            #expect(later.eventMillis - earlier.eventMillis == 100)
        }
    }

    @Test func timestampFormatter_matchesFoundation() {
        for millis: Int64 in [0, 951_782_400_123, 1_767_225_600_000, 1_795_710_000_999, 4_102_444_799_999] {
            let expected = Date(timeIntervalSince1970: Double(millis) / 1000)
                .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
            #expect(Timestamp.string(millis: millis) == expected)
        }
    }

    @Test func amountString_hasTwoFractionDigits() {
        var tx = Transaction(
            id: "a",
            accountID: "b",
            amountMinor: 12_990,
            currency: "BRL",
            merchantID: "m",
            merchantCategory: "5411",
            country: "BR",
            channel: .pix,
            eventTimeMillis: 0
        )
        #expect(tx.jsonString.contains(#""amount":"129.90""#))
        tx.amountMinor = 5
        #expect(tx.jsonString.contains(#""amount":"0.05""#))
        #expect(tx.amountString == "0.05")
        tx.amountMinor = 1_000_000
        #expect(tx.jsonString.contains(#""amount":"10000.00""#))
    }

    @Test func smallPopulation_stillSpreadsEachAccountsTransactions() throws {
        // 20 accounts cannot each wait 45 s between transactions at one per 100 ms: the clock jumps.
        let (ndjson, _) = generate(seed: 3, count: 2_000, fraudShare: 0, accounts: 20)
        let stream = try #require(WireTransaction.decode(ndjson))
        #expect(Set(stream.map(\.accountID)).count == 20)
        for (_, fired) in RuleChecks.all(stream) { #expect(fired.isEmpty) }
    }
}
