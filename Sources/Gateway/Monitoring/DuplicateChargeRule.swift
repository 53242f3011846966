/// `duplicate_charge`: the same account, merchant and amount within `window` (default 30 s) of
/// event time, inclusive, under different transaction ids. Transactions without a merchant are
/// ignored. Each further identical charge fires again (each is another duplicate).
struct DuplicateChargeRule: AlertRule {
    static let name = AlertRuleName.duplicateCharge
    let severity: AlertSeverity
    let windowMilliseconds: Int64
    /// Bounds the list for an account charging faster than this per window; beyond it the oldest
    /// charges are forgotten (and a duplicate of one of them is missed).
    static let maxRemembered = 64

    /// The account's charges within the window of its newest one.
    struct State: Sendable {
        var recent: [Charge] = []
        var newest: Int64 = .min
    }

    struct Charge: Sendable {
        var merchant: String
        var tenThousandths: UInt64
        var time: Int64
        var id: String
    }

    init(_ configuration: AlertRulesConfiguration.DuplicateCharge) {
        severity = configuration.severity
        windowMilliseconds = Int64((configuration.windowSeconds * 1000).rounded())
    }

    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft? {
        let tx = input.transaction
        guard let merchant = tx.merchantId else { return nil }
        let newest = max(state.newest, input.eventTime)
        state.newest = newest
        state.recent.removeAll { newest - $0.time > windowMilliseconds }
        let original = state.recent.last {
            $0.merchant == merchant && $0.tenThousandths == input.tenThousandths && $0.id != tx.id
                && abs(input.eventTime - $0.time) <= windowMilliseconds
        }
        state.recent.append(Charge(merchant: merchant, tenThousandths: input.tenThousandths, time: input.eventTime, id: tx.id))
        if state.recent.count > Self.maxRemembered { state.recent.removeFirst() }
        guard let original else { return nil }
        let gap = MonitorClock.secondsText(abs(input.eventTime - original.time))
        return draft([original.id, tx.id], "same merchant \(merchant) and amount \(tx.amount) \(tx.currency) charged twice \(gap) s apart")
    }
}
