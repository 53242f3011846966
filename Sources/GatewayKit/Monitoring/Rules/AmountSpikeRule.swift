/// `amount_spike`: the amount is more than `multiplier` (default 5) times the account's running
/// mean of its earlier transactions, once it has at least `minHistory` (default 5) of them.
/// The mean excludes the current transaction, and includes earlier spikes.
///
/// The mean is kept in the account's first currency; transactions in another currency are
/// neither checked nor counted (a mean across currencies would mean nothing, and there are no
/// exchange rates here).
struct AmountSpikeRule: AlertRule {
    static let name = AlertRuleName.amountSpike
    let severity: AlertSeverity
    let multiplier: Amount
    let minHistory: Int

    struct State: Sendable {
        var currency: String?
        var count: UInt64 = 0
        var sumTenThousandths: UInt128 = 0
    }

    init(_ configuration: AlertRulesConfiguration.AmountSpike) {
        severity = configuration.severity
        multiplier = configuration.multiplier
        minHistory = configuration.minHistory
    }

    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft? {
        let tx = input.transaction
        if state.currency == nil { state.currency = tx.currency }
        guard state.currency == tx.currency else { return nil }
        defer {
            state.count += 1
            state.sumTenThousandths += UInt128(input.tenThousandths)
        }
        guard state.count >= minHistory, isSpike(input.tenThousandths, state) else { return nil }
        let mean = Amount.decimalString(tenThousandths: state.sumTenThousandths / UInt128(state.count))
        let reason =
            "amount \(tx.amount) \(tx.currency) is more than \(multiplier)x the account's mean "
            + "\(mean) \(tx.currency) over \(state.count) earlier transactions"
        return draft([tx.id], reason)
    }

    /// amount > multiplier x sum / count, compared exactly as amount x count > multiplier x sum
    /// (all in ten-thousandths: no division, no rounding at the boundary).
    private func isSpike(_ amount: UInt64, _ state: State) -> Bool {
        let (left, leftOverflow) = (UInt128(amount) * 10_000).multipliedReportingOverflow(by: UInt128(state.count))
        let (right, rightOverflow) = UInt128(multiplier.tenThousandths).multipliedReportingOverflow(
            by: state.sumTenThousandths
        )
        if leftOverflow || rightOverflow {
            // Only for absurd histories (sums near 10^34); a close-enough answer beats a trap.
            return Double(amount) * Double(state.count) > multiplier.doubleValue * Double(state.sumTenThousandths)
        }
        return left > right
    }
}
