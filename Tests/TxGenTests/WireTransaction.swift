import Foundation

@testable import TxGenKit

/// A transaction as the gateway would read it off the wire: decoded from generated NDJSON,
/// independently of the generator's own types, so the tests check the bytes actually produced.
struct WireTransaction {
    let fields: [String: Any]
    let id: String
    let accountID: String
    let amountText: String
    /// Amount in hundredths (tests only generate two-digit currencies; validity is checked apart).
    let amountMinor: Int64
    let currency: String
    let merchantID: String
    let merchantCategory: String
    let country: String
    let channel: String
    let timestampText: String
    let eventMillis: Int64

    init?(line: Substring) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let id = object["id"] as? String, let account = object["account_id"] as? String,
            let amount = object["amount"] as? String, let currency = object["currency"] as? String,
            let merchant = object["merchant_id"] as? String, let category = object["merchant_category"] as? String,
            let country = object["country"] as? String, let channel = object["channel"] as? String,
            let timestamp = object["timestamp"] as? String,
            let millis = WireTransaction.parseRFC3339(timestamp)
        else { return nil }
        fields = object
        self.id = id
        accountID = account
        amountText = amount
        let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
        let major = Int64(parts[0]) ?? -1
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        let minor = Int64((fraction + "00").prefix(2)) ?? 0
        amountMinor = major * 100 + minor
        self.currency = currency
        merchantID = merchant
        merchantCategory = category
        self.country = country
        self.channel = channel
        timestampText = timestamp
        eventMillis = millis
    }

    static func parseRFC3339(_ text: String) -> Int64? {
        let styles = [
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt),
            Date.ISO8601FormatStyle(timeZone: .gmt),
        ]
        for style in styles {
            if let date = try? Date(text, strategy: style) {
                return Int64((date.timeIntervalSince1970 * 1000).rounded())
            }
        }
        return nil
    }

    /// Decodes NDJSON, failing on any line that is not a complete transaction.
    static func decode(_ ndjson: String) -> [WireTransaction]? {
        var result: [WireTransaction] = []
        for line in ndjson.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            guard let transaction = WireTransaction(line: line) else { return nil }
            result.append(transaction)
        }
        return result
    }
}

/// Generates a stream the way `--dry-run` does and returns its NDJSON and expect report.
func generate(
    seed: UInt64,
    count: Int,
    fraudShare: Double,
    accounts: Int = 10_000,
    idPrefix: String? = nil
) -> (ndjson: String, report: ExpectReport) {
    var configuration = StreamConfiguration(seed: seed)
    configuration.count = count
    configuration.fraudShare = fraudShare
    configuration.accountCount = accounts
    configuration.idPrefix = idPrefix
    var stream = TransactionStream(configuration)
    var bytes: [UInt8] = []
    while let transaction = stream.next() { transaction.appendNDJSONLine(to: &bytes) }
    return (
        String(decoding: bytes, as: UTF8.self), ExpectReport(patterns: stream.injector.patterns, includeOutcomes: false)
    )
}
