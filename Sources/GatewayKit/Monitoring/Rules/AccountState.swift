/// What the rules remember about one account: one field per stateful rule.
///
/// Each part is bounded by its rule (velocity: `count - 1` events; duplicate charge: the charges
/// within its window, at most 64; country hop: one event; amount spike: a count and a sum), and
/// the number of accounts is bounded by `AccountTable`. `alertRate` holds one entry per rule that
/// fired for the account (see `AlertRateLimit`).
struct AccountState: Sendable {
    var velocity = VelocityRule.State()
    var amountSpike = AmountSpikeRule.State()
    var countryHop = CountryHopRule.State()
    var duplicateCharge = DuplicateChargeRule.State()
    var alertRate = AlertRateLimit.State()
}
