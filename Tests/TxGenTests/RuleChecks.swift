@testable import TxGenKit

/// Tiny reimplementations of the gateway's five default alert rules, applied to a decoded stream.
/// Each returns, per account it fires for, the id of the first transaction at which it fires.
/// They are deliberately naive (sorting, pairwise scans) so they are easy to trust.
enum RuleChecks {
    static func highAmount(_ stream: [WireTransaction]) -> [String: String] {
        var fired: [String: String] = [:]
        for tx in stream where tx.amountMinor >= 1_000_000 && fired[tx.accountID] == nil {
            fired[tx.accountID] = tx.id
        }
        return fired
    }

    /// 5 or more transactions of one account within 60 s of event time.
    static func velocity(_ stream: [WireTransaction]) -> [String: String] {
        var fired: [String: String] = [:]
        for (account, list) in byAccount(stream) {
            let sorted = list.sorted { $0.eventMillis < $1.eventMillis }
            guard sorted.count >= 5 else { continue }
            for end in 4..<sorted.count where sorted[end].eventMillis - sorted[end - 4].eventMillis <= 60_000 {
                fired[account] = sorted[end].id
                break
            }
        }
        return fired
    }

    /// amount > 5x the running mean of the account's earlier transactions, with >= 5 of them.
    static func amountSpike(_ stream: [WireTransaction]) -> [String: String] {
        var fired: [String: String] = [:]
        var count: [String: Int64] = [:]
        var sum: [String: Int64] = [:]
        for tx in stream {
            let n = count[tx.accountID, default: 0]
            let s = sum[tx.accountID, default: 0]
            if n >= 5, tx.amountMinor * n > 5 * s, fired[tx.accountID] == nil { fired[tx.accountID] = tx.id }
            count[tx.accountID] = n + 1
            sum[tx.accountID] = s + tx.amountMinor
        }
        return fired
    }

    /// One account in two different countries within 10 minutes of event time.
    static func countryHop(_ stream: [WireTransaction]) -> [String: String] {
        var fired: [String: String] = [:]
        for (account, list) in byAccount(stream) {
            let sorted = list.sorted { $0.eventMillis < $1.eventMillis }
            for later in sorted.indices.dropFirst() {
                let earlier = sorted[later - 1]
                if sorted[later].country != earlier.country, sorted[later].eventMillis - earlier.eventMillis <= 600_000
                {
                    fired[account] = sorted[later].id
                    break
                }
            }
        }
        return fired
    }

    /// Same account, merchant and amount within 30 s, under different ids.
    static func duplicateCharge(_ stream: [WireTransaction]) -> [String: String] {
        var fired: [String: String] = [:]
        for (account, list) in byAccount(stream) {
            let sorted = list.sorted { $0.eventMillis < $1.eventMillis }
            search: for later in sorted.indices {
                for earlier in sorted[..<later].reversed() {
                    if sorted[later].eventMillis - earlier.eventMillis > 30_000 { break }
                    if earlier.merchantID == sorted[later].merchantID, earlier.amountMinor == sorted[later].amountMinor,
                        earlier.id != sorted[later].id
                    {
                        fired[account] = sorted[later].id
                        break search
                    }
                }
            }
        }
        return fired
    }

    static func all(_ stream: [WireTransaction]) -> [FraudRule: [String: String]] {
        [
            .highAmount: highAmount(stream), .velocity: velocity(stream), .amountSpike: amountSpike(stream),
            .countryHop: countryHop(stream), .duplicateCharge: duplicateCharge(stream),
        ]
    }

    private static func byAccount(_ stream: [WireTransaction]) -> [String: [WireTransaction]] {
        Dictionary(grouping: stream, by: \.accountID)
    }
}
