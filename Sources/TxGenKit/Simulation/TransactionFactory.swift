/// Makes normal (non-fraud) transactions that, by construction, trigger none of the gateway's rules:
///
/// - velocity and duplicate_charge: an account's transactions are at least `minimumAccountGapMillis`
///   (45 s) apart in event time, so 5 of them span >= 180 s (> 60 s) and no two fall within 30 s;
/// - country_hop: an account only ever spends in its home country;
/// - high_amount: amounts are capped at `amountCeilingMinor` (8 000.00 local);
/// - amount_spike: once an account has 5 earlier transactions, an amount above 4x its running mean
///   is redrawn (then clamped), so it never exceeds 5x.
///
/// Amounts are otherwise log-normal per merchant category, scaled by the account's spending level
/// and converted to the home currency.
struct TransactionFactory: Sendable {
    static let minimumAccountGapMillis: Int64 = 45_000
    static let amountCeilingMinor: Int64 = 800_000
    static let spikeGuardFactor: Int64 = 4

    let population: Population
    private var lastEventMillis: [Int64]
    private var historyCount: [Int32]
    private var historySumMinor: [Int64]

    init(population: Population) {
        self.population = population
        lastEventMillis = Array(repeating: Int64.min / 2, count: population.accounts.count)
        historyCount = Array(repeating: 0, count: population.accounts.count)
        historySumMinor = Array(repeating: 0, count: population.accounts.count)
    }

    /// The next normal transaction at event time `clock`; moves `clock` forward if no account is
    /// free to transact yet (only with a population too small for the event step).
    mutating func make(id: String, clock: inout Int64, using rng: inout SeededGenerator) -> Transaction {
        let accountIndex = pickAccount(clock: &clock, using: &rng)
        let account = population.accounts[accountIndex]
        let country = Country.all[account.homeCountry]
        let categoryIndex = SpendingProfile.all[account.profile].category(using: &rng)
        let category = MerchantCategory.all[categoryIndex]
        let merchant = population.merchants[
            population.drawMerchant(country: account.homeCountry, category: categoryIndex, using: &rng)
        ]
        let amount = drawAmount(account: accountIndex, category: category, country: country, using: &rng)

        lastEventMillis[accountIndex] = clock
        historyCount[accountIndex] += 1
        historySumMinor[accountIndex] += amount
        return Transaction(
            id: id,
            accountID: account.id,
            amountMinor: amount,
            currency: country.currency,
            merchantID: merchant.id,
            merchantCategory: category.mcc,
            country: country.code,
            channel: category.channel(in: country, using: &rng),
            eventTimeMillis: clock,
            pattern: nil
        )
    }

    private func isFree(_ account: Int, at clock: Int64) -> Bool {
        clock - lastEventMillis[account] >= Self.minimumAccountGapMillis
    }

    private func pickAccount(clock: inout Int64, using rng: inout SeededGenerator) -> Int {
        for _ in 0..<32 {
            let candidate = population.drawAccount(using: &rng)
            if isFree(candidate, at: clock) { return candidate }
        }
        // Busy population: take the first free account from a random start, or wait for one.
        let count = population.accounts.count
        let start = rng.below(count)
        for offset in 0..<count where isFree((start + offset) % count, at: clock) {
            return (start + offset) % count
        }
        var earliest = 0
        for index in 1..<count where lastEventMillis[index] < lastEventMillis[earliest] { earliest = index }
        clock = lastEventMillis[earliest] + Self.minimumAccountGapMillis
        return earliest
    }

    private func drawAmount(
        account: Int,
        category: MerchantCategory,
        country: Country,
        using rng: inout SeededGenerator
    ) -> Int64 {
        var limit = Self.amountCeilingMinor
        if Int(historyCount[account]) >= RuleThresholds.spikeMinimumHistory {
            limit = min(limit, Self.spikeGuardFactor * historySumMinor[account] / Int64(historyCount[account]))
        }
        let median = category.medianUSD * population.accounts[account].spendingLevel * country.unitsPerUSD
        var amount: Int64 = 0
        for _ in 0..<4 {
            var units = rng.logNormal(median: median, sigma: category.sigma)
            if category.roundsToTens { units = max(10, (units / 10).rounded() * 10) }
            amount = max(100, Int64((units * 100).rounded()))
            if amount <= limit { return amount }
        }
        if category.roundsToTens, limit >= 1_000 { return limit / 1_000 * 1_000 }
        return max(1, limit)
    }
}
