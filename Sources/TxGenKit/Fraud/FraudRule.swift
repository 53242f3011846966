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
