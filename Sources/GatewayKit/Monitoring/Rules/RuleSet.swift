/// The enabled alert rules, built once from `AlertRulesConfiguration`, evaluated in a fixed
/// order so that the alerts of one transaction always come out in the same order.
struct RuleSet: Sendable {
    let highAmount: HighAmountRule?
    let velocity: VelocityRule?
    let amountSpike: AmountSpikeRule?
    let countryHop: CountryHopRule?
    let duplicateCharge: DuplicateChargeRule?

    init(_ configuration: AlertRulesConfiguration) {
        highAmount = configuration.highAmount.enabled ? HighAmountRule(configuration.highAmount) : nil
        velocity = configuration.velocity.enabled ? VelocityRule(configuration.velocity) : nil
        amountSpike = configuration.amountSpike.enabled ? AmountSpikeRule(configuration.amountSpike) : nil
        countryHop = configuration.countryHop.enabled ? CountryHopRule(configuration.countryHop) : nil
        duplicateCharge =
            configuration.duplicateCharge.enabled ? DuplicateChargeRule(configuration.duplicateCharge) : nil
    }

    /// Whether any enabled rule keeps per-account state (if not, accounts need not be tracked).
    var needsAccountState: Bool {
        velocity != nil || amountSpike != nil || countryHop != nil || duplicateCharge != nil
    }

    func evaluateStateless(_ input: RuleInput) -> [AlertDraft] {
        var noState = HighAmountRule.State()
        return [highAmount?.evaluate(input, state: &noState)].compactMap { $0 }
    }

    func evaluate(_ input: RuleInput, account: inout AccountState) -> [AlertDraft] {
        [
            velocity?.evaluate(input, state: &account.velocity),
            amountSpike?.evaluate(input, state: &account.amountSpike),
            countryHop?.evaluate(input, state: &account.countryHop),
            duplicateCharge?.evaluate(input, state: &account.duplicateCharge),
        ].compactMap { $0 }
    }
}
