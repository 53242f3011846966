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
    /// Accounts with rule state in memory now, and accounts evicted from memory to stay within
    /// the memory budget (with a partition store they are on disk, not forgotten).
    package var accountsTracked = 0
    var accountsEvicted = 0
    /// Accounts read back from the partition stores (not in memory when their next record came).
    package var accountsLoaded = 0
    /// Accounts and dedupe ids the memory budget allows in memory now, over all held partitions.
    package var accountCapacity = 0
    package var dedupeCapacity = 0
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
