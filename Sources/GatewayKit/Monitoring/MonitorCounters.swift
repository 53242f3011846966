/// Running counts of the monitor, for `/metrics`.
package struct MonitorCounters: Sendable, Equatable {
    /// Transactions applied (first delivery of their id within the dedupe window).
    package var recorded = 0
    /// Transactions skipped because their id was already applied.
    var duplicatesSkipped = 0
    /// Applied transactions kept out of the windows for arriving too late (still in totals).
    var late = 0
    /// Applied transactions kept out of the windows for an event time too far in the future.
    var future = 0
    /// Alerts raised (before any store-level deduplication), by rule and severity.
    var alertsByRuleAndSeverity: [AlertKey: Int] = [:]
    /// Alerts over `MonitorConfiguration.alertsPerAccountRule`, not stored nor published, by rule.
    var alertsSuppressedByRule: [AlertRuleName: Int] = [:]
    /// Accounts with rule state now, and accounts evicted to stay within `maxAccounts`.
    package var accountsTracked = 0
    var accountsEvicted = 0
    /// Transaction ids remembered for dedupe now.
    package var dedupeEntries = 0
}

/// A (rule, severity) pair: one labelled series of the alerts counter.
struct AlertKey: Hashable, Sendable, Comparable {
    var rule: AlertRuleName
    var severity: AlertSeverity

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.rule, lhs.severity) < (rhs.rule, rhs.severity)
    }
}
