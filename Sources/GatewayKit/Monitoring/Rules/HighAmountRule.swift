/// `high_amount`: the amount is at or above a threshold in the transaction's own currency
/// (a per-currency threshold if configured, e.g. JPY 1,500,000, else the default one).
struct HighAmountRule: AlertRule {
    static let name = AlertRuleName.highAmount
    let severity: AlertSeverity
    let defaultThreshold: Amount
    let thresholds: [String: Amount]

    /// The rule needs no memory of the account.
    struct State: Sendable {}

    init(_ configuration: AlertRulesConfiguration.HighAmount) {
        severity = configuration.severity
        defaultThreshold = configuration.threshold
        thresholds = configuration.perCurrency
    }

    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft? {
        let tx = input.transaction
        let threshold = thresholds[tx.currency] ?? defaultThreshold
        guard input.tenThousandths >= threshold.tenThousandths else { return nil }
        return draft(
            [tx.id],
            "amount \(tx.amount) \(tx.currency) is at or above the threshold \(threshold) \(tx.currency)"
        )
    }
}
