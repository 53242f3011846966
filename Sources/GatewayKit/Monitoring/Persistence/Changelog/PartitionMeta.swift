import Histogram

/// The value of a partition's `m` record, written last in every flush: which input offset the
/// flush's state covers, who wrote it, and the statistics' parts that are not time buckets (names,
/// watermarks, counters, totals). Bounded whatever the traffic: at most `maxCurrencies` and
/// `maxTrackedCountries` names and one aggregate.
struct PartitionMeta: Sendable {
    static let magic: [UInt8] = Array("GWM3".utf8)
    static let version: UInt64 = 1

    var partition: Int32
    /// The input offset of the last record the state includes: the owner resumes at +1.
    var coveredOffset: Int64
    /// Wall-clock milliseconds of the flush (freshness in `/stats`).
    var createdAt: Int64
    /// The instance that wrote it (host/pid), for logs and `/stats`.
    var writer: String
    /// The local store the flush came from, and its flush number: a replay skips its own flushes.
    var storeID: String
    var flushSeq: Int64
    /// The next dedupe chunk number to use.
    var nextDedupeChunk: UInt64
    /// Input records this partition's consumers found missing (offsets reset past them).
    var skippedRecords: Int64 = 0
    var statistics: StatisticsHeader

    /// `RollingStatistics` less its window buckets.
    struct StatisticsHeader: Sendable {
        var currencyNames: [String]
        var countryNames: [String]
        var maxEventMilliseconds: Int64?
        var maxEventBySource: [Int32: Int64]
        var late: Int
        var future: Int
        var firstRecordAt: Int64?
        var lastRecordAt: Int64?
        var total: StatsAggregate<UInt64>
        /// Per window: its shape and the newest bucket number it recorded.
        var windows: [(lengthMilliseconds: Int64, bucketCount: Int, newestBucket: Int64)]
    }

    func encoded() -> [UInt8] {
        var out = StateWriter(reservingCapacity: 4096)
        out.raw(Self.magic)
        out.varint(Self.version)
        out.signed(Int64(partition))
        out.signed(coveredOffset)
        out.signed(createdAt)
        out.string(writer)
        out.string(storeID)
        out.signed(flushSeq)
        out.varint(nextDedupeChunk)
        out.signed(skippedRecords)
        statistics.write(to: &out)
        return out.bytes
    }

    init(
        partition: Int32,
        coveredOffset: Int64,
        createdAt: Int64,
        writer: String,
        storeID: String,
        flushSeq: Int64,
        nextDedupeChunk: UInt64,
        skippedRecords: Int64,
        statistics: StatisticsHeader
    ) {
        self.partition = partition
        self.coveredOffset = coveredOffset
        self.createdAt = createdAt
        self.writer = writer
        self.storeID = storeID
        self.flushSeq = flushSeq
        self.nextDedupeChunk = nextDedupeChunk
        self.skippedRecords = skippedRecords
        self.statistics = statistics
    }

    /// Reads a meta record; `precision` is this process's histogram precision.
    init(decoding bytes: [UInt8], precision: SignificantDigits) throws(StateFormatError) {
        var reader = StateReader(bytes)
        guard try reader.raw(count: 4) == Self.magic else { throw .malformed("not a partition meta record") }
        let version = try reader.varint()
        guard version == Self.version else { throw .malformed("meta version \(version), expected \(Self.version)") }
        partition = Int32(truncatingIfNeeded: try reader.signed())
        coveredOffset = try reader.signed()
        createdAt = try reader.signed()
        writer = try reader.string()
        storeID = try reader.string()
        flushSeq = try reader.signed()
        nextDedupeChunk = try reader.varint()
        skippedRecords = try reader.signed()
        statistics = try StatisticsHeader(&reader, precision: precision)
    }
}

extension PartitionMeta.StatisticsHeader {
    func write(to out: inout StateWriter) {
        out.count(currencyNames.count)
        for name in currencyNames { out.string(name) }
        out.count(countryNames.count)
        for name in countryNames { out.string(name) }
        out.optional(maxEventMilliseconds) { $0.signed($1) }
        out.count(maxEventBySource.count)
        for (source, time) in maxEventBySource.sorted(by: { $0.key < $1.key }) {
            out.signed(Int64(source))
            out.signed(time)
        }
        out.count(late)
        out.count(future)
        out.optional(firstRecordAt) { $0.signed($1) }
        out.optional(lastRecordAt) { $0.signed($1) }
        out.count(windows.count)
        for window in windows {
            out.signed(window.lengthMilliseconds)
            out.count(window.bucketCount)
            out.signed(window.newestBucket)
        }
        // Slots as written: the names above map them.
        total.write(to: &out)
    }

    init(_ reader: inout StateReader, precision: SignificantDigits) throws(StateFormatError) {
        currencyNames = try (0..<(try reader.count(limit: 1 << 16))).map { _ throws(StateFormatError) in
            try reader.string()
        }
        countryNames = try (0..<(try reader.count(limit: 1 << 16))).map { _ throws(StateFormatError) in
            try reader.string()
        }
        maxEventMilliseconds = try reader.optional { reader throws(StateFormatError) in try reader.signed() }
        maxEventBySource = [:]
        for _ in 0..<(try reader.count(limit: 1 << 20)) {
            let source = Int32(truncatingIfNeeded: try reader.signed())
            maxEventBySource[source] = try reader.signed()
        }
        late = try reader.count()
        future = try reader.count()
        firstRecordAt = try reader.optional { reader throws(StateFormatError) in try reader.signed() }
        lastRecordAt = try reader.optional { reader throws(StateFormatError) in try reader.signed() }
        windows = []
        for _ in 0..<(try reader.count(limit: 1 << 10)) {
            let length = try reader.signed()
            let count = try reader.count(limit: 3600)
            windows.append((length, count, try reader.signed()))
        }
        // Identity slots: the caller maps them with a `SlotMap` built from the names.
        total = try StatsAggregate(checkpoint: &reader, precision: precision, slots: .identity)
    }
}
