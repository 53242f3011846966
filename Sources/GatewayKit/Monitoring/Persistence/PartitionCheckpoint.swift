/// One partition's state at one input offset, as written to the changelog topic
/// (`transactions.monitor-state`, record key = the partition number, record partition = the input
/// partition, so the latest record of changelog partition p is p's latest checkpoint).
///
/// The value is a versioned binary document: a header (partition, covered offset, writer, time),
/// then the statistics, then the dedupe ids and the account table. The statistics come first so
/// that `/stats` can read only them (`statistics(from:)`) from another instance's checkpoint.
struct PartitionCheckpoint: Sendable {
    static let magic: [UInt8] = Array("GWMS".utf8)
    /// 2 added each account's alert-rate budgets (`AlertRateLimit`); version 1 is still read
    /// (its accounts start with fresh budgets).
    static let version: UInt64 = 2
    static let readableVersions: ClosedRange<UInt64> = 1...version

    var partition: Int32
    /// The input offset of the last record the state includes: the new owner resumes at +1.
    var coveredOffset: Int64
    /// Wall-clock milliseconds when the state was captured (freshness in `/stats`).
    var createdAt: Int64
    /// The instance that wrote it, for logs and `/stats`.
    var writer: String
    var state: PartitionState

    func encoded(version: UInt64 = Self.version) -> [UInt8] {
        var out = StateWriter(reservingCapacity: 1 << 16, version: version)
        writeHeader(to: &out)
        state.statistics.write(to: &out)
        state.dedupe.write(to: &out)
        state.accounts.write(to: &out)
        return out.bytes
    }

    /// The whole checkpoint, under this process's configuration (bounds, windows, precision).
    init(decoding bytes: [UInt8], configuration: MonitorConfiguration) throws(StateFormatError) {
        var reader = StateReader(bytes)
        let header = try Header(&reader)
        let statistics = try RollingStatistics(checkpoint: &reader, configuration: configuration)
        let dedupe = try DedupeWindow(
            checkpoint: &reader,
            windowMilliseconds: MonitorClock.milliseconds(configuration.dedupeWindow),
            capacity: configuration.dedupeCapacity
        )
        let accounts = try AccountTable(checkpoint: &reader, capacity: configuration.maxAccounts)
        self.init(
            partition: header.partition,
            coveredOffset: header.coveredOffset,
            createdAt: header.createdAt,
            writer: header.writer,
            state: PartitionState(
                statistics: statistics,
                dedupe: dedupe,
                accounts: accounts,
                coveredOffset: header.coveredOffset
            )
        )
    }

    init(partition: Int32, coveredOffset: Int64, createdAt: Int64, writer: String, state: PartitionState) {
        self.partition = partition
        self.coveredOffset = coveredOffset
        self.createdAt = createdAt
        self.writer = writer
        self.state = state
    }

    /// Only the header and the statistics: what `/stats` needs of another instance's partition.
    static func statistics(
        from bytes: [UInt8],
        configuration: MonitorConfiguration
    )
        throws(StateFormatError) -> (header: Header, statistics: RollingStatistics)
    {
        var reader = StateReader(bytes)
        let header = try Header(&reader)
        return (header, try RollingStatistics(checkpoint: &reader, configuration: configuration))
    }

    struct Header: Sendable, Equatable {
        var partition: Int32
        var coveredOffset: Int64
        var createdAt: Int64
        var writer: String

        init(_ reader: inout StateReader) throws(StateFormatError) {
            guard try reader.raw(count: 4) == PartitionCheckpoint.magic else {
                throw .malformed("not a monitor checkpoint")
            }
            let version = try reader.varint()
            guard PartitionCheckpoint.readableVersions.contains(version) else {
                throw .malformed("version \(version), expected \(PartitionCheckpoint.readableVersions)")
            }
            reader.version = version
            partition = Int32(truncatingIfNeeded: try reader.signed())
            coveredOffset = try reader.signed()
            createdAt = try reader.signed()
            writer = try reader.string()
        }
    }

    private func writeHeader(to out: inout StateWriter) {
        out.raw(Self.magic)
        out.varint(out.version)
        out.signed(Int64(partition))
        out.signed(coveredOffset)
        out.signed(createdAt)
        out.string(writer)
    }
}
