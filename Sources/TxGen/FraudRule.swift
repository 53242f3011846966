/// The gateway's alert rules that injected patterns target, named as the gateway names them.
enum FraudRule: String, CaseIterable, Codable, Sendable {
    /// amount >= 10 000 in the transaction's currency.
    case highAmount = "high_amount"
    /// 5 or more transactions of one account within 60 s of event time.
    case velocity
    /// amount > 5x the account's running mean, once it has >= 5 earlier transactions.
    case amountSpike = "amount_spike"
    /// one account in two countries within 10 minutes of event time.
    case countryHop = "country_hop"
    /// same account, merchant and amount within 30 s, under different ids.
    case duplicateCharge = "duplicate_charge"
}

/// The rules' default thresholds, as the gateway applies them (and as the tests re-check them).
enum RuleThresholds {
    static let highAmountMinor: Int64 = 1_000_000
    static let velocityCount = 5
    static let velocityWindowMillis: Int64 = 60_000
    static let spikeFactor: Int64 = 5
    static let spikeMinimumHistory = 5
    static let countryHopWindowMillis: Int64 = 600_000
    static let duplicateWindowMillis: Int64 = 30_000
}
