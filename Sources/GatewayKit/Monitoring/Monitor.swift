import Foundation
import Synchronization

/// The consumer side's brain: applies each transaction read back from Kafka to the dedupe
/// window, the rolling statistics and the alert rules.
///
/// Thread-safe: several consumer threads may call `record` at once; one `Mutex` guards all
/// state. Parsing and hashing happen before the lock; under it a record costs 1-3 us at 100,000
/// accounts, mostly cache misses on per-account state. Snapshots copy the statistics under the
/// lock (copy-on-write, cheap) and do the heavy merging outside it.
///
/// Late and future records (see `RollingStatistics`) stay out of the windows but still go
/// through dedupe, totals and the rules: the rules work on each account's own event times.
package final class Monitor: Sendable {
    let configuration: MonitorConfiguration
    private let rules: RuleSet
    private let core: Mutex<Core>

    private struct Core: Sendable {
        var statistics: RollingStatistics
        var dedupe: DedupeWindow
        var accounts: AccountTable
        var counters = MonitorCounters()
    }

    /// Traps on an invalid configuration: check `configuration.problems` first (the CLI should
    /// report them as usage errors).
    package init(configuration: MonitorConfiguration = MonitorConfiguration()) {
        let problems = configuration.problems
        precondition(problems.isEmpty, "invalid monitor configuration: \(problems.joined(separator: "; "))")
        self.configuration = configuration
        rules = RuleSet(configuration.rules)
        core = Mutex(Core(
            statistics: RollingStatistics(configuration: configuration),
            dedupe: DedupeWindow(windowMilliseconds: MonitorClock.milliseconds(configuration.dedupeWindow),
                                 capacity: configuration.dedupeCapacity),
            accounts: AccountTable(capacity: configuration.maxAccounts)))
    }

    /// Applies one transaction: dedupe, statistics, rules. Returns nil if it was a duplicate
    /// (counted in `duplicatesSkipped`), else the alerts it raised (maybe empty), in rule order.
    ///
    /// - Parameter now: the monitor's clock: dedupe window, future-skew check, idle windows,
    ///   and the alerts' `detected_at`.
    /// - Parameter source: where the record came from (its Kafka partition). Lateness is judged
    ///   against the highest event time of the same source, so a consumer that trails another
    ///   does not make its records late; nil judges against the highest event time overall.
    package func record(_ tx: Transaction, source: Int32? = nil, now: Date = Date()) -> [Alert]? {
        let input = RuleInput(tx)
        let drafts = core.withLock { core in apply(input, source: source, now: MonitorClock.milliseconds(now), to: &core) }
        return drafts.map { $0.map { alert(from: $0, for: tx, detectedAt: now) } }
    }

    /// Applies a batch under one lock acquisition (a consumer poll returns batches); the result
    /// has one entry per transaction, as `record` would return it. Also the entry point for a
    /// micro benchmark of the monitor without lock overhead per record.
    package func record(contentsOf transactions: [Transaction], now: Date = Date()) -> [[Alert]?] {
        let inputs = transactions.map(RuleInput.init)
        let nowMilliseconds = MonitorClock.milliseconds(now)
        let drafts = core.withLock { core in inputs.map { apply($0, source: nil, now: nowMilliseconds, to: &core) } }
        return zip(drafts, transactions).map { drafts, tx in
            drafts.map { $0.map { alert(from: $0, for: tx, detectedAt: now) } }
        }
    }

    /// The statistics at `now` (see `StatisticsSnapshot`).
    package func snapshot(now: Date = Date()) -> StatisticsSnapshot {
        let statistics = core.withLock { $0.statistics }
        return statistics.snapshot(now: MonitorClock.milliseconds(now), topCountries: configuration.topCountries)
    }

    package var counters: MonitorCounters {
        core.withLock { core in
            var counters = core.counters
            counters.late = core.statistics.late
            counters.future = core.statistics.future
            counters.accountsTracked = core.accounts.count
            counters.accountsEvicted = core.accounts.evictions
            counters.dedupeEntries = core.dedupe.count
            return counters
        }
    }

    /// The part under the lock: everything but building `Alert`s (hashing, strings).
    private func apply(_ input: RuleInput, source: Int32?, now: Int64, to core: inout Core) -> [AlertDraft]? {
        let tx = input.transaction
        guard core.dedupe.insert(input.dedupeKey, now: now) else {
            core.counters.duplicatesSkipped += 1
            return nil
        }
        core.counters.recorded += 1
        core.statistics.record(tx, tenThousandths: input.tenThousandths, eventTime: input.eventTime, source: source, now: now)
        var drafts = rules.evaluateStateless(input)
        if rules.needsAccountState {
            drafts += core.accounts.withState(of: tx.accountId) { rules.evaluate(input, account: &$0) }
        }
        for draft in drafts {
            core.counters.alertsByRuleAndSeverity[AlertKey(rule: draft.rule, severity: draft.severity), default: 0] += 1
        }
        return drafts
    }

    private func alert(from draft: AlertDraft, for tx: Transaction, detectedAt: Date) -> Alert {
        Alert(rule: draft.rule, severity: draft.severity, accountId: tx.accountId,
              transactionIds: draft.transactionIds, amount: tx.amount, currency: tx.currency,
              reason: draft.reason, eventTime: tx.timestamp, detectedAt: detectedAt)
    }
}
