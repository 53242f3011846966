/// A fraud/anomaly rule: looks at one transaction with the state its account has accumulated,
/// perhaps raises an alert, and updates that state.
///
/// Rules are values (their settings) and keep no state of their own: per-account state lives in
/// `AccountState`, so that it is bounded and evicted in one place (`AccountTable`). A rule
/// evaluates against the account's *earlier* transactions, then records the current one.
/// Time is event time (the transaction's `timestamp`), in milliseconds.
protocol AlertRule: Sendable {
    associatedtype State
    static var name: AlertRuleName { get }
    var severity: AlertSeverity { get }
    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft?
}

/// One transaction as the rules see it: the record plus values computed once for all rules,
/// before `Monitor` takes its lock.
struct RuleInput: Sendable {
    var transaction: Transaction
    var eventTime: Int64
    var tenThousandths: UInt64
    /// The id as kept in account state (no heap string for UUIDs).
    var compactId: CompactTransactionID
    /// For the dedupe window (not a rule input, but computed with the rest, off the lock).
    var dedupeKey: DedupeWindow.Key

    init(_ transaction: Transaction) {
        self.transaction = transaction
        eventTime = MonitorClock.milliseconds(transaction.timestamp)
        tenThousandths = transaction.amount.tenThousandths
        compactId = CompactTransactionID(transaction.id)
        dedupeKey = DedupeWindow.Key(compactId)
    }
}

/// What a rule decided; `Monitor` completes it into an `Alert` (account, amount, times, id)
/// outside its lock.
struct AlertDraft: Sendable, Equatable {
    var rule: AlertRuleName
    var severity: AlertSeverity
    /// Oldest first, the triggering transaction last.
    var transactionIds: [String]
    var reason: String
    /// Alerts of this account and rule suppressed since the previous one (see `AlertRateLimit`).
    var suppressedBefore = 0
}

extension AlertRule {
    func draft(_ transactionIds: [String], _ reason: String) -> AlertDraft {
        AlertDraft(rule: Self.name, severity: severity, transactionIds: transactionIds, reason: reason)
    }
}
