/// Injects fraud patterns into the stream at a target share of transactions, one pattern per
/// gateway rule, each on a fresh account of its own.
///
/// Why fresh accounts: a pattern then triggers exactly its own rule and no other (a burst on an
/// account with normal history could also look like an amount spike), and normal traffic stays
/// free of alerts. Why relative delays: each step is scheduled after the previous one was
/// actually emitted, so contention between patterns can only lengthen gaps, never shorten them
/// (which would otherwise risk turning an amount-spike warm-up into a velocity burst).
struct FraudInjector: Sendable {
    let share: Double
    private(set) var patterns: [FraudPattern] = []
    /// Patterns with steps left, and when (event time) their next step is due.
    private var active: [(pattern: Int, dueMillis: Int64)] = []
    /// Transactions of all patterns started so far, emitted or not: what the share is measured on.
    private var plannedTransactions = 0
    private var ruleCycle: [FraudRule] = []
    private var nextAccountNumber: Int
    private var rng: SeededGenerator

    /// Extra stream positions a pattern must have left to finish, beyond its own delays: room for
    /// other patterns' steps that fall due at the same time.
    static let fitMargin = 16

    init(share: Double, population: Population, rng parent: SeededGenerator) {
        precondition(share >= 0 && share <= 1, "fraud share is a fraction")
        self.share = share
        self.nextAccountNumber = population.accounts.count
        self.rng = parent.derived(0xF4A0D)
    }

    /// The index into `active` of the earliest step due at `clock`, if any.
    func dueSlot(at clock: Int64) -> Int? {
        var best: Int?
        for (slot, entry) in active.enumerated() where entry.dueMillis <= clock {
            if best == nil || entry.dueMillis < active[best!].dueMillis { best = slot }
        }
        return best
    }

    /// Emits the due step in `slot` as transaction `id` at `clock`.
    mutating func emit(slot: Int, id: String, clock: Int64, population: Population) -> Transaction {
        let patternIndex = active[slot].pattern
        let transaction = makeTransaction(patternIndex: patternIndex, id: id, clock: clock, population: population)
        if let next = patterns[patternIndex].nextStep {
            active[slot].dueMillis = clock + next.delayMillis
        } else {
            active.remove(at: slot)
        }
        return transaction
    }

    /// Starts a new pattern if the stream is below its fraud share and one fits in the
    /// `remaining` positions (nil: unbounded), returning its first transaction.
    mutating func startPatternIfDue(
        position: Int,
        remaining: Int?,
        stepMillis: Int64,
        clock: Int64,
        id: String,
        population: Population
    ) -> Transaction? {
        // Start once the share leaves room for at least one more injected transaction (so a
        // stream does not open with fraud); the share is then met over the run within a pattern.
        guard share > 0, Double(plannedTransactions + 1) <= share * Double(position + 1) else { return nil }
        if ruleCycle.isEmpty {
            ruleCycle = FraudRule.allCases
            rng.shuffle(&ruleCycle)
        }
        // The next rule in the cycle if it fits, else the first other one that does (near the
        // end of a bounded stream only the short patterns fit).
        let candidates = ruleCycle + FraudRule.allCases.filter { !ruleCycle.contains($0) }
        for rule in candidates {
            let accountNumber = nextAccountNumber
            let (steps, trigger) = plan(rule, population: population)
            let pattern = FraudPattern(
                rule: rule,
                accountID: population.accountID(number: accountNumber),
                steps: steps,
                triggerStep: trigger
            )
            let needed = Int((pattern.totalDelayMillis + stepMillis - 1) / stepMillis) + steps.count + Self.fitMargin
            if let remaining, needed > remaining { continue }
            nextAccountNumber += 1
            ruleCycle.removeAll { $0 == rule }
            patterns.append(pattern)
            plannedTransactions += steps.count
            let index = patterns.count - 1
            let transaction = makeTransaction(patternIndex: index, id: id, clock: clock, population: population)
            if let next = patterns[index].nextStep {
                active.append((index, clock + next.delayMillis))
            }
            return transaction
        }
        return nil
    }

    /// Load runs report back what the gateway said about each injected transaction.
    mutating func recordOutcome(pattern: Int, accepted: Bool) {
        if accepted { patterns[pattern].acceptedCount += 1 }
    }

    private mutating func makeTransaction(
        patternIndex: Int,
        id: String,
        clock: Int64,
        population: Population
    ) -> Transaction {
        guard let step = patterns[patternIndex].nextStep else { preconditionFailure("pattern already complete") }
        patterns[patternIndex].recordEmitted(id: id, at: clock)
        let merchant = population.merchants[step.merchant]
        let country = Country.all[merchant.country]
        return Transaction(
            id: id,
            accountID: patterns[patternIndex].accountID,
            amountMinor: step.amountMinor,
            currency: country.currency,
            merchantID: merchant.id,
            merchantCategory: MerchantCategory.all[merchant.category].mcc,
            country: country.code,
            channel: step.channel,
            eventTimeMillis: clock,
            pattern: patternIndex
        )
    }

    // MARK: - Plans, one per rule

    private mutating func plan(_ rule: FraudRule, population: Population) -> ([PlannedStep], Int) {
        let home = population.drawCountry(using: &rng)
        switch rule {
        case .highAmount: return (planHighAmount(home: home, population: population), 0)
        case .velocity: return (planVelocity(home: home, population: population), RuleThresholds.velocityCount - 1)
        case .amountSpike:
            let steps = planAmountSpike(home: home, population: population)
            return (steps, steps.count - 1)
        case .countryHop: return (planCountryHop(home: home, population: population), 1)
        case .duplicateCharge: return (planDuplicateCharge(home: home, population: population), 1)
        }
    }

    /// One large purchase or transfer: 10 000 to 60 000 in the local currency.
    private mutating func planHighAmount(home: Int, population: Population) -> [PlannedStep] {
        let category = pickCategory(["5732", "4511", "4829", "7011"])
        let amount = Int64((rng.uniform(10_000, 60_000) * 100).rounded(.down))
        return [
            PlannedStep(
                delayMillis: 0,
                amountMinor: max(RuleThresholds.highAmountMinor, amount),
                merchant: population.drawMerchant(country: home, category: category, using: &rng),
                channel: MerchantCategory.all[category].channel(in: Country.all[home], using: &rng)
            )
        ]
    }

    /// Card testing: 5 or 6 small online purchases 0.3-2 s apart (well within 60 s).
    /// Amounts stay within [base, 2*base) so the burst is not also an amount spike, and differ
    /// from each other so it is not a duplicate charge.
    private mutating func planVelocity(home: Int, population: Population) -> [PlannedStep] {
        let count = RuleThresholds.velocityCount + rng.below(2)
        let base = max(100, localMinor(usd: rng.uniform(3, 25), country: home))
        var amounts: [Int64] = []
        var steps: [PlannedStep] = []
        for index in 0..<count {
            var amount = base + Int64(rng.uniform() * Double(base))
            while amounts.contains(amount) { amount += 1 }
            amounts.append(amount)
            let category = pickCategory(["5815", "5999", "5732", "5311"])
            steps.append(
                PlannedStep(
                    delayMillis: index == 0 ? 0 : Int64(rng.integer(in: 300...2_000)),
                    amountMinor: amount,
                    merchant: population.drawMerchant(country: home, category: category, using: &rng),
                    channel: .cardNotPresent
                )
            )
        }
        return steps
    }

    /// 5 or 6 ordinary purchases 20-30 s apart (any 5 span >= 80 s, so no velocity burst), then
    /// one 7-10x their mean, capped below the high-amount threshold.
    private mutating func planAmountSpike(home: Int, population: Population) -> [PlannedStep] {
        let warmUps = RuleThresholds.spikeMinimumHistory + rng.below(2)
        // At most 400.00 so that even 10x the mean (<= 600.00) stays under 9 500.00.
        let base = min(40_000, max(100, localMinor(usd: rng.uniform(8, 40), country: home)))
        var steps: [PlannedStep] = []
        var sum: Int64 = 0
        for index in 0..<warmUps {
            let amount = base + Int64(rng.uniform() * 0.5 * Double(base))
            sum += amount
            let category = pickCategory(["5411", "5812", "5814", "5912"])
            steps.append(
                PlannedStep(
                    delayMillis: index == 0 ? 0 : Int64(rng.integer(in: 20_000...30_000)),
                    amountMinor: amount,
                    merchant: population.drawMerchant(country: home, category: category, using: &rng),
                    channel: MerchantCategory.all[category].channel(in: Country.all[home], using: &rng)
                )
            )
        }
        let mean = Double(sum) / Double(warmUps)
        let spike = min(950_000, Int64(mean * rng.uniform(7, 10)))
        precondition(spike > RuleThresholds.spikeFactor * sum / Int64(warmUps) + 1, "spike must clear 5x the mean")
        let category = pickCategory(["5732", "5999"])
        steps.append(
            PlannedStep(
                delayMillis: Int64(rng.integer(in: 20_000...30_000)),
                amountMinor: spike,
                merchant: population.drawMerchant(country: home, category: category, using: &rng),
                channel: .cardNotPresent
            )
        )
        return steps
    }

    /// A card-present purchase at home, then another in a different country 1-5 minutes later.
    private mutating func planCountryHop(home: Int, population: Population) -> [PlannedStep] {
        let away = population.drawCountry(excluding: home, using: &rng)
        var steps: [PlannedStep] = []
        for (index, country) in [home, away].enumerated() {
            let category = pickCategory(["5812", "5411", "5541", "7011"])
            steps.append(
                PlannedStep(
                    delayMillis: index == 0 ? 0 : Int64(rng.integer(in: 60_000...300_000)),
                    amountMinor: min(
                        800_000,
                        max(100, localMinor(usd: rng.logNormal(median: 35, sigma: 0.4), country: country))
                    ),
                    merchant: population.drawMerchant(country: country, category: category, using: &rng),
                    channel: .cardPresent
                )
            )
        }
        return steps
    }

    /// The same charge (merchant and amount) twice, 2-20 s apart, under two ids.
    private mutating func planDuplicateCharge(home: Int, population: Population) -> [PlannedStep] {
        let category = pickCategory(["5411", "5812", "5999", "5732"])
        let merchant = population.drawMerchant(country: home, category: category, using: &rng)
        let amount = min(800_000, max(100, localMinor(usd: rng.logNormal(median: 40, sigma: 0.6), country: home)))
        let channel: Channel = rng.chance(0.5) ? .cardPresent : .cardNotPresent
        return [
            PlannedStep(delayMillis: 0, amountMinor: amount, merchant: merchant, channel: channel),
            PlannedStep(
                delayMillis: Int64(rng.integer(in: 2_000...20_000)),
                amountMinor: amount,
                merchant: merchant,
                channel: channel
            ),
        ]
    }

    private mutating func pickCategory(_ mccs: [String]) -> Int {
        MerchantCategory.index(ofMCC: mccs[rng.below(mccs.count)])
    }

    private func localMinor(usd: Double, country: Int) -> Int64 {
        Int64((usd * Country.all[country].unitsPerUSD * 100).rounded())
    }
}
