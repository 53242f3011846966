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

    /// The merchant is kept as a 64-bit FNV-1a hash: merchant ids can be long strings, and an
    /// accidental collision has odds of 2^-64 per comparison. Deterministic (not Swift's
    /// per-process-seeded `hashValue`), so that the state means the same after a checkpoint is
    /// restored by another process; a crafted collision could at worst raise a false alert on the
    /// crafter's own account.
    struct Charge: Sendable {
        var merchant: Int
        var tenThousandths: UInt64
        var time: Int64
        var id: CompactTransactionID
    }

    init(_ configuration: AlertRulesConfiguration.WindowedRule) {
        severity = configuration.severity
        windowMilliseconds = Int64((configuration.windowSeconds * 1000).rounded())
    }

    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft? {
        let tx = input.transaction
        guard let merchantId = tx.merchantId else { return nil }
        let merchant = Self.merchantHash(merchantId)
        let newest = max(state.newest, input.eventTime)
        state.newest = newest
        let expired = { (charge: Charge) in newest - charge.time > windowMilliseconds }
        // Checking first keeps the common case (nothing expired) free of array rewriting.
        if state.recent.contains(where: expired) { state.recent.removeAll(where: expired) }
        let original = state.recent.lastIndex {
            $0.tenThousandths == input.tenThousandths && $0.merchant == merchant && $0.id != input.compactId
                && abs(input.eventTime - $0.time) <= windowMilliseconds
        }
        let draft = original.map { duplicateDraft(input, of: state.recent[$0]) }
        if state.recent.count == Self.maxRemembered { state.recent.removeFirst() }
        state.recent.append(
            Charge(merchant: merchant, tenThousandths: input.tenThousandths, time: input.eventTime, id: input.compactId)
        )
        return draft
    }

    static func merchantHash(_ merchant: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in merchant.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash)
    }

    private func duplicateDraft(_ input: RuleInput, of original: Charge) -> AlertDraft {
        let tx = input.transaction
        let gap = MonitorClock.secondsText(abs(input.eventTime - original.time))
        return draft(
            [original.id.text, tx.id],
            "same merchant \(tx.merchantId ?? "") and amount \(tx.amount) \(tx.currency) charged twice \(gap) s apart"
        )
    }
}
