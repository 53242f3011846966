import CoreSupport
import Foundation
import GatewayKit

/// 1,000,000 transactions over 100,000 accounts and 30 minutes of event time (~555/s), in
/// order, from a fixed seed: every run and every sample records the same stream.
///
/// They are made the way the gateway makes them (read from JSON, validated), because a
/// `Transaction`'s own initializer is internal to GatewayKit and should stay so.
struct Workload: Sendable {
    static let count = 1_000_000
    static let accounts = 100_000
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let step = 0.0018
    static let currencies = ["USD", "USD", "USD", "EUR", "EUR", "BRL", "GBP", "JPY"]
    static let countries = [
        "US", "BR", "DE", "FR", "GB", "JP", "ES", "IT", "MX", "CA", "AR", "PT", "NL", "SE", "PL", "IN", "CN", "AU",
        "ZA", "KR",
    ]
    static let channels = ["card_present", "card_not_present", "pix", "transfer", "atm", "other"]

    let transactions: [Transaction]
    /// Each transaction's arrival, used as the monitor's clock (`now`).
    let times: [Date]

    static func make() throws -> Workload {
        var random = SplitMix64(seed: 0x5EED)
        let validator = TransactionValidator()
        var transactions: [Transaction] = []
        transactions.reserveCapacity(count)
        let times = (0..<count).map { start.addingTimeInterval(Double($0) * step) }
        for at in times {
            let payload = try TransactionJSONReader.payload(from: body(at: at, using: &random))
            transactions.append(try validator.validate(payload, receivedAt: at).get())
        }
        return Workload(transactions: transactions, times: times)
    }

    /// One request body; one account in fifty pays from a random country (the country-hop rule's
    /// food), the others always from their own.
    static func body(at: Date, using random: inout SplitMix64) -> [UInt8] {
        let account = Int.random(in: 0..<accounts, using: &random)
        let cents = Int.random(in: 100...50_000, using: &random)
        let country =
            account % 50 == 0 ? countries.randomElement(using: &random)! : countries[account % countries.count]
        return Array(
            """
            {"id":"\(random.uuid())","account_id":"acc-\(account)","amount":"\(cents / 100).\(cents % 100 / 10)\(cents % 10)",\
            "currency":"\(currencies[account % currencies.count])","timestamp":"\(RFC3339.format(at))",\
            "merchant_id":"merchant-\(Int.random(in: 0..<5000, using: &random))","country":"\(country)",\
            "channel":"\(channels.randomElement(using: &random)!)"}
            """.utf8
        )
    }

    /// The stream cut into batches, each recorded at its last transaction's arrival.
    func batches(of size: Int) -> [(transactions: [Transaction], now: Date)] {
        stride(from: 0, to: transactions.count, by: size).map { start in
            let end = min(start + size, transactions.count)
            return (Array(transactions[start..<end]), times[end - 1])
        }
    }
}

extension SplitMix64 {
    /// A random UUID string, as clients send ids (the dedupe window stores UUIDs compactly).
    mutating func uuid() -> String {
        let bits = (next(), next())
        return withUnsafeBytes(of: bits) { UUID(uuid: $0.load(as: uuid_t.self)) }.uuidString
    }
}
