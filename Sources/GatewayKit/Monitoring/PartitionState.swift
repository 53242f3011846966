/// Everything the monitor keeps about one partition of the transactions topic: the part of the
/// statistics, dedupe ids and per-account rule state that this partition's records built, and
/// the offset of the last record applied. Kept per partition so that it can be checkpointed and
/// handed to the partition's next owner whole (see `PartitionCheckpoint`).
///
/// One account's records all go to one partition (the key is the account id), so per-account rule
/// state splits by partition without loss. Each part has its own bounds (`MonitorConfiguration`
/// sizes are per partition).
struct PartitionState: Sendable {
    var statistics: RollingStatistics
    var dedupe: DedupeWindow
    var accounts: AccountTable
    /// The offset of the last record applied (or skipped as invalid); -1 before any.
    var coveredOffset: Int64 = -1
    /// The covered offset of the last flush (`Monitor.takeChanges`); -1 before any.
    var flushedOffset: Int64 = -1
    /// The dedupe window's ordinal up to which its ids were flushed.
    var flushedDedupeOrdinal: Int64 = 0
    /// Input records found missing by this partition's consumers, since the state began.
    var skippedRecords: Int64 = 0

    init(configuration: MonitorConfiguration) {
        statistics = RollingStatistics(configuration: configuration)
        dedupe = DedupeWindow(
            windowMilliseconds: MonitorClock.milliseconds(configuration.dedupeWindow),
            capacity: configuration.dedupeCapacity
        )
        accounts = AccountTable(capacity: configuration.maxAccounts)
    }

    init(statistics: RollingStatistics, dedupe: DedupeWindow, accounts: AccountTable, coveredOffset: Int64) {
        self.statistics = statistics
        self.dedupe = dedupe
        self.accounts = accounts
        self.coveredOffset = coveredOffset
    }
}

extension PartitionState {
    /// Runs `body` on the state in place (a dictionary's `default:` subscript yields it without a copy).
    mutating func apply<Result>(_ body: (inout PartitionState) -> Result) -> Result {
        body(&self)
    }
}
