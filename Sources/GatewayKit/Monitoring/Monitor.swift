import Foundation
import Synchronization

/// The consumer side's brain: applies each transaction read back from Kafka to the dedupe
/// window, the rolling statistics and the alert rules of its partition's `PartitionState`.
///
/// Thread-safe: several consumer threads may call `record` at once; one `Mutex` guards all
/// state. Parsing and hashing happen before the lock; under it a record costs 1-3 us at 100,000
/// accounts, mostly cache misses on per-account state. Snapshots copy the statistics under the
/// lock (copy-on-write, cheap) and do the heavy merging outside it.
///
/// State is kept per input partition (`PartitionState`), so that it can be checkpointed
/// (`state(of:)`), handed over (`install`, `drop`) and merged with other instances' partitions
/// for `/stats`. Records given without a partition (tests, benchmarks) share partition -1.
/// Counters (`counters`, `amounts`) are this instance's since start, whatever partitions it owns.
///
/// Late and future records (see `RollingStatistics`) stay out of the windows but still go
/// through dedupe, totals and the rules: the rules work on each account's own event times.
package final class Monitor: Sendable {
    package static let unpartitioned: Int32 = -1
    let configuration: MonitorConfiguration
    private let rules: RuleSet
    private let rateLimit: AlertRateLimit
    private let core: Mutex<Core>

    private struct Core: Sendable {
        var partitions: [Int32: PartitionState] = [:]
        var counters = MonitorCounters()
        var amounts: AmountHistogram
    }

    /// Traps on an invalid configuration: check `configuration.problems` first (the CLI should
    /// report them as usage errors).
    package init(configuration: MonitorConfiguration = MonitorConfiguration()) {
        let problems = configuration.problems
        precondition(problems.isEmpty, "invalid monitor configuration: \(problems.joined(separator: "; "))")
        self.configuration = configuration
        rules = RuleSet(configuration.rules)
        rateLimit = AlertRateLimit(limit: configuration.alertsPerAccountRule)
        core = Mutex(Core(amounts: AmountHistogram(maxCurrencies: configuration.maxCurrencies)))
    }

    /// Applies one transaction: dedupe, statistics, rules. Returns nil if it was a duplicate
    /// (counted in `duplicatesSkipped`), else the alerts it raised (maybe empty), in rule order.
    ///
    /// - Parameter now: the monitor's clock: dedupe window, future-skew check, idle windows,
    ///   and the alerts' `detected_at`.
    /// - Parameter source: the record's Kafka partition: whose state it goes to, and lateness is
    ///   judged against the highest event time of that partition, so a consumer that trails
    ///   another does not make its records late.
    /// - Parameter offset: the record's offset, which the partition's state then covers.
    package func record(_ tx: Transaction, source: Int32? = nil, offset: Int64? = nil, now: Date = Date()) -> [Alert]? {
        let input = RuleInput(tx)
        let drafts = core.withLock { core in
            apply(input, source: source, offset: offset, now: MonitorClock.milliseconds(now), to: &core)
        }
        return drafts.map { $0.map { alert(from: $0, for: tx, detectedAt: now) } }
    }

    /// Applies a batch under one lock acquisition (a consumer poll returns batches); the result
    /// has one entry per transaction, as `record` would return it. Also the entry point for a
    /// micro benchmark of the monitor without lock overhead per record.
    package func record(contentsOf transactions: [Transaction], now: Date = Date()) -> [[Alert]?] {
        let inputs = transactions.map(RuleInput.init)
        let nowMilliseconds = MonitorClock.milliseconds(now)
        let drafts = core.withLock { core in
            inputs.map { apply($0, source: nil, offset: nil, now: nowMilliseconds, to: &core) }
        }
        return zip(drafts, transactions).map { drafts, tx in
            drafts.map { $0.map { alert(from: $0, for: tx, detectedAt: now) } }
        }
    }

    /// One consumer batch under one lock acquisition (the consumers' contention on the lock cost
    /// more than applying, in perf), in order: a transaction is applied as `record` applies
    /// it, nil (a record that is not a transaction) is skipped as `skip` does. One entry per item,
    /// as `record` returns it (nil for skipped items too).
    package func record(
        batch: [(transaction: Transaction?, partition: Int32, offset: Int64)],
        now: Date = Date()
    ) -> [[Alert]?] {
        let inputs = batch.map { $0.transaction.map(RuleInput.init) }
        let nowMilliseconds = MonitorClock.milliseconds(now)
        let prefetched = readMissingAccounts(of: batch)
        let drafts = core.withLock { core in
            for (partition, states) in prefetched { core.partitions[partition]?.accounts.prefetch(states) }
            defer { for partition in prefetched.keys { core.partitions[partition]?.accounts.endPrefetch() } }
            return zip(inputs, batch).map { input, item -> [AlertDraft]? in
                guard let input else {
                    cover(item.partition, through: item.offset, in: &core)
                    return nil
                }
                return apply(input, source: item.partition, offset: item.offset, now: nowMilliseconds, to: &core)
            }
        }
        return zip(drafts, batch).map { drafts, item in
            guard let tx = item.transaction else { return nil }
            return drafts.map { $0.map { alert(from: $0, for: tx, detectedAt: now) } }
        }
    }

    /// The stored states of the batch's accounts that are not in memory, read outside the lock: at a
    /// million accounts most records miss the cache, and a store read under the lock held up every
    /// other consumer. Only the calling consumer applies and flushes these partitions, so nothing
    /// changes the rows between this read and the batch's apply.
    private func readMissingAccounts(
        of batch: [(transaction: Transaction?, partition: Int32, offset: Int64)]
    ) -> [Int32: [String: AccountState?]] {
        guard rules.needsAccountState else { return [:] }
        var accounts: [Int32: Set<String>] = [:]
        for item in batch {
            if let tx = item.transaction { accounts[item.partition, default: []].insert(tx.accountId) }
        }
        let misses = core.withLock { core in
            accounts.compactMap { partition, accounts -> (Int32, any AccountBacking, [String])? in
                guard let backing = core.partitions[partition]?.accounts.backing,
                    let missing = core.partitions[partition]?.accounts.missing(accounts), !missing.isEmpty
                else { return nil }
                return (partition, backing, missing)
            }
        }
        var read: [Int32: [String: AccountState?]] = [:]
        for (partition, backing, missing) in misses { read[partition] = backing.states(of: missing) }
        return read
    }

    /// A record of `partition` that was not applied (not a transaction): the state still covers it,
    /// so that a restore does not read it again.
    package func skip(partition: Int32, offset: Int64) {
        core.withLock { core in cover(partition, through: offset, in: &core) }
    }

    /// The state of `partition` covers `offset` without applying a record there.
    private func cover(_ partition: Int32, through offset: Int64, in core: inout Core) {
        core.partitions[partition, default: PartitionState(configuration: configuration)].coveredOffset = offset
    }

    /// The statistics of every partition this instance holds, merged at `now` (see `StatisticsSnapshot`).
    package func snapshot(now: Date = Date()) -> StatisticsSnapshot {
        let parts = liveStatistics().map(\.value.statistics)
        let nowMilliseconds = MonitorClock.milliseconds(now)
        return MergedStatistics(parts, now: nowMilliseconds, configuration: configuration)
            .snapshot(now: nowMilliseconds, topCountries: configuration.topCountries)
    }

    /// Each held partition's statistics (copies, cheap), the offset they cover and the records they
    /// never saw.
    func liveStatistics() -> [Int32: (statistics: RollingStatistics, coveredOffset: Int64, skippedRecords: Int64)] {
        core.withLock { core in core.partitions.mapValues { ($0.statistics, $0.coveredOffset, $0.skippedRecords) } }
    }

    /// The consumer of `partition` moved past `records` it never read (an offset reset): the state
    /// keeps the count, so that `/stats` says its statistics are incomplete after any restart too.
    func noteSkipped(_ records: Int64, in partition: Int32) {
        core.withLock { core in core.partitions[partition]?.skippedRecords += records }
    }

    /// A copy of one partition's state, for a checkpoint (copy-on-write: cheap while the owning
    /// consumer, which takes the checkpoints, is not applying records meanwhile).
    func state(of partition: Int32) -> PartitionState? {
        core.withLock { $0.partitions[partition] }
    }

    /// The partitions held now and the offset each covers.
    var coveredOffsets: [Int32: Int64] {
        core.withLock { core in core.partitions.mapValues(\.coveredOffset) }
    }

    /// Takes over a partition's state (restored from its checkpoint or store), replacing any held;
    /// the memory budget is shared anew between the partitions held.
    func install(_ state: PartitionState, for partition: Int32) {
        core.withLock { core in
            core.partitions[partition] = state
            shareBudget(in: &core)
        }
    }

    /// Estimated memory of one account's rule state in the cache and of one dedupe id (with their
    /// table entries and allocator overhead); what `memoryBudgetBytes` is divided by. bench/scale.sh
    /// saw the process grow well past the budget with 600 and 80 (each account's rule state is
    /// several small heap arrays).
    static let bytesPerAccount = 1000
    static let bytesPerDedupeID = 120

    /// Divides `memoryBudgetBytes` evenly between the partitions held: three quarters to accounts,
    /// the rest to dedupe ids.
    private func shareBudget(in core: inout Core) {
        guard let budget = configuration.memoryBudgetBytes else { return }
        let held = max(1, core.partitions.count)
        let accounts = max(1, budget * 3 / 4 / Self.bytesPerAccount / held)
        let ids = max(1, budget / 4 / Self.bytesPerDedupeID / held)
        for partition in Array(core.partitions.keys) {
            let evicted = core.partitions[partition]!.accounts.evictions
            core.partitions[partition]!.accounts.resize(to: accounts)
            core.partitions[partition]!.dedupe.resize(to: ids)
            core.counters.accountsEvicted += core.partitions[partition]!.accounts.evictions - evicted
        }
    }

    /// What changed in `partition` since the last call, for a flush to its store and changelog:
    /// nil when the partition is not held or nothing was applied since. The accounts, new dedupe ids
    /// and changed buckets count as flushed after it (the caller must write them or fail loudly).
    func takeChanges(of partition: Int32) -> PartitionChanges? {
        core.withLock { core -> PartitionChanges? in
            guard core.partitions[partition].map({ $0.coveredOffset > $0.flushedOffset }) == true else { return nil }
            // In place (`apply`): a copy of the state would copy the account cache on the first write.
            return core.partitions[partition]!.apply { state in
                let firstOrdinal = max(state.flushedDedupeOrdinal, state.dedupe.oldestOrdinal)
                let changes = PartitionChanges(
                    coveredOffset: state.coveredOffset,
                    accounts: state.accounts.drainChanges(),
                    buckets: state.statistics.drainChangedBuckets(),
                    statistics: state.statistics.header,
                    newIDs: state.dedupe.entries(since: firstOrdinal),
                    firstNewOrdinal: firstOrdinal,
                    oldestOrdinal: state.dedupe.oldestOrdinal,
                    skippedRecords: state.skippedRecords
                )
                state.flushedOffset = state.coveredOffset
                state.flushedDedupeOrdinal = state.dedupe.inserted
                return changes
            }
        }
    }

    /// The partition's state as a checkpoint's bytes (what the changelog receives); nil when the
    /// partition is not held. For benchmarks and tools; the consumers go through `PartitionStateKeeper`.
    package func checkpoint(of partition: Int32, createdAt: Date = Date(), writer: String = "") -> [UInt8]? {
        state(of: partition).map { state in
            PartitionCheckpoint(
                partition: partition,
                coveredOffset: state.coveredOffset,
                createdAt: MonitorClock.milliseconds(createdAt),
                writer: writer,
                state: state
            ).encoded()
        }
    }

    /// Takes over the partition a checkpoint describes; returns its partition and covered offset.
    @discardableResult
    package func restore(checkpoint bytes: [UInt8]) throws -> (partition: Int32, coveredOffset: Int64) {
        let checkpoint = try PartitionCheckpoint(decoding: bytes, configuration: configuration)
        install(checkpoint.state, for: checkpoint.partition)
        return (checkpoint.partition, checkpoint.coveredOffset)
    }

    /// Forgets a partition (revoked: its next owner restores it from the changelog).
    func drop(partition: Int32) {
        core.withLock { core in
            core.partitions.removeValue(forKey: partition)
            shareBudget(in: &core)
        }
    }

    package var counters: MonitorCounters {
        core.withLock { core in
            var counters = core.counters
            counters.accountsTracked = core.partitions.values.reduce(0) { $0 + $1.accounts.count }
            counters.dedupeEntries = core.partitions.values.reduce(0) { $0 + $1.dedupe.count }
            counters.accountCapacity = core.partitions.values.reduce(0) { $0 + $1.accounts.capacity }
            counters.dedupeCapacity = core.partitions.values.reduce(0) { $0 + $1.dedupe.capacity }
            return counters
        }
    }

    /// Amounts applied by this instance since start, in fixed buckets per currency.
    var amounts: AmountHistogram { core.withLock { $0.amounts } }

    /// The part under the lock: everything but building `Alert`s (hashing, strings).
    private func apply(
        _ input: RuleInput,
        source: Int32?,
        offset: Int64?,
        now: Int64,
        to core: inout Core
    ) -> [AlertDraft]? {
        let partition = source ?? Self.unpartitioned
        // The state is mutated in place through the dictionary; what the counters learn is
        // gathered here and added after (the two cannot be mutated in one access to `core`).
        var effect = Effect()
        let drafts = core.partitions[partition, default: PartitionState(configuration: configuration)].apply { state in
            apply(input, source: source, offset: offset, now: now, to: &state, effect: &effect)
        }
        guard let drafts else {
            core.counters.duplicatesSkipped += 1
            return nil
        }
        core.counters.recorded += 1
        core.amounts.observe(currency: input.transaction.currency, tenThousandths: input.tenThousandths)
        switch effect.disposition {
        case .late: core.counters.late += 1
        case .future: core.counters.future += 1
        case .windowed, nil: break
        }
        core.counters.accountsEvicted += effect.evictions
        core.counters.accountsLoaded += effect.loads
        for draft in drafts {
            core.counters.alertsByRuleAndSeverity[AlertKey(rule: draft.rule, severity: draft.severity), default: 0] += 1
        }
        for rule in effect.suppressed { core.counters.alertsSuppressedByRule[rule, default: 0] += 1 }
        return drafts
    }

    private struct Effect {
        var disposition: RollingStatistics.Disposition?
        var evictions = 0
        var loads = 0
        /// The rule of each alert `rateLimit` suppressed (empty, so no allocation, in the common case).
        var suppressed: [AlertRuleName] = []
    }

    private func apply(
        _ input: RuleInput,
        source: Int32?,
        offset: Int64?,
        now: Int64,
        to state: inout PartitionState,
        effect: inout Effect
    ) -> [AlertDraft]? {
        let tx = input.transaction
        if let offset { state.coveredOffset = offset }
        guard state.dedupe.insert(input.dedupeKey, now: now) else { return nil }
        effect.disposition = state.statistics.record(
            tx,
            tenThousandths: input.tenThousandths,
            eventTime: input.eventTime,
            source: source,
            now: now
        )
        let drafts = rules.evaluateStateless(input)
        guard rules.needsAccountState || (rateLimit.isBounded && !drafts.isEmpty) else { return drafts }
        let (evictions, loads) = (state.accounts.evictions, state.accounts.loads)
        defer {
            effect.evictions = state.accounts.evictions - evictions
            effect.loads = state.accounts.loads - loads
        }
        return state.accounts.withState(of: tx.accountId) { account in
            rateLimit.admit(
                drafts + rules.evaluate(input, account: &account),
                at: input.eventTime,
                state: &account.alertRate
            ) {
                effect.suppressed.append($0)
            }
        }
    }

    private func alert(from draft: AlertDraft, for tx: Transaction, detectedAt: Date) -> Alert {
        Alert(
            rule: draft.rule,
            severity: draft.severity,
            accountId: tx.accountId,
            transactionIds: draft.transactionIds,
            amount: tx.amount,
            currency: tx.currency,
            reason: draft.reason,
            eventTime: tx.timestamp,
            detectedAt: detectedAt,
            suppressedBefore: draft.suppressedBefore
        )
    }
}

/// One partition's changes since its previous flush (`Monitor.takeChanges`).
struct PartitionChanges: Sendable {
    var coveredOffset: Int64
    var accounts: [(account: String, state: AccountState)]
    var buckets: [(key: ChangelogKey, value: [UInt8])]
    var statistics: PartitionMeta.StatisticsHeader
    /// Dedupe ids taken in since the previous flush, oldest first, numbered from `firstNewOrdinal`.
    var newIDs: [DedupeWindow.Entry]
    var firstNewOrdinal: Int64
    /// The ordinal of the oldest id the window still holds: chunks wholly below it are gone.
    var oldestOrdinal: Int64
    var skippedRecords: Int64
}
