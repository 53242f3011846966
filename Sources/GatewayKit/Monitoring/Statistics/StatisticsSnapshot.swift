import Foundation

/// What `GET /stats` returns and what `/metrics` renders as gauges: the rolling windows and the
/// totals since start, at one instant.
///
/// JSON keys are snake_case by explicit coding keys, so encode it with a plain `JSONEncoder`
/// (a `.convertToSnakeCase` strategy would also rewrite currency and country keys such as "US").
/// `windows` is encoded as an object keyed by label ("1m", "5m", ...); in Swift it is an array
/// in configuration order. For gauges iterate `allWindows` (the windows, then "total").
package struct StatisticsSnapshot: Encodable, Sendable, Equatable {
    var generatedAt: Date
    /// The highest event time seen (nil before the first record).
    var watermark: Date?
    /// The event time the windows were read at: the watermark, moved on by the time the stream
    /// has been idle (see `RollingStatistics.windowEnd`).
    var windowEnd: Date?
    var allowedLatenessSeconds: Double
    /// Records dropped from the windows for arriving later than the allowed lateness.
    var late: Int
    /// Records dropped from the windows for an event time too far ahead of the monitor's clock.
    var future: Int
    var windows: [WindowStatistics]
    var total: WindowStatistics
    /// The partitions merged in and how fresh each is (cluster-wide `/stats`); nil when the
    /// snapshot is only this process's monitor (`/metrics`, tests).
    var partitions: [PartitionCoverage]?
    /// Partitions this instance is restoring now, with how many changelog records each has read of
    /// how many; nil when the snapshot is only this process's monitor.
    var restoring: [RestoreProgress.Entry]?
    /// How complete the statistics are (`/stats` only); its keys sit beside the others.
    var status: MonitorStatus?

    var allWindows: [WindowStatistics] { windows + [total] }

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at"
        case watermark
        case windowEnd = "window_end"
        case allowedLatenessSeconds = "allowed_lateness_seconds"
        case late, future, windows, total, partitions, restoring
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(RFC3339.format(generatedAt), forKey: .generatedAt)
        try container.encode(watermark.map(RFC3339.format), forKey: .watermark)
        try container.encode(windowEnd.map(RFC3339.format), forKey: .windowEnd)
        try container.encode(allowedLatenessSeconds, forKey: .allowedLatenessSeconds)
        try container.encode(late, forKey: .late)
        try container.encode(future, forKey: .future)
        var byLabel = container.nestedContainer(keyedBy: JSONKey.self, forKey: .windows)
        for window in windows { try byLabel.encode(window, forKey: JSONKey(window.label)) }
        try container.encode(total, forKey: .total)
        try container.encodeIfPresent(partitions, forKey: .partitions)
        try container.encodeIfPresent(restoring, forKey: .restoring)
        try status?.encode(to: encoder)
    }
}

/// One window ("1m", "5m", "15m") or the totals since start ("total").
struct WindowStatistics: Encodable, Sendable, Equatable {
    var label: String
    /// Nil for "total".
    var lengthSeconds: Double?
    var count: Int
    /// count / window length; for "total", count / time since the first record (at least 1 s).
    var ratePerSecond: Double
    /// By currency code; "other" gathers the currencies beyond the tracked ones.
    var currencies: [String: CurrencyStatistics]
    /// By channel name; "unknown" counts transactions without a channel.
    var byChannel: [String: Int]
    /// The top countries by count; "other" gathers the rest, "unknown" those without a country.
    var byCountry: [String: Int]

    enum CodingKeys: String, CodingKey {
        case label
        case lengthSeconds = "length_seconds"
        case count
        case ratePerSecond = "rate_per_second"
        case currencies
        case byChannel = "by_channel"
        case byCountry = "by_country"
    }
}

/// One currency within a window. Amounts are in the currency's unit.
struct CurrencyStatistics: Encodable, Sendable, Equatable {
    var count: Int
    /// Exact decimal string. Nil for "other", where a sum across currencies would mean nothing.
    var sum: String?
    /// Quantiles from an HdrHistogram of amounts in hundredths, within its precision
    /// (two significant digits by default: about 1 %). Nil for "other".
    var p50: Double?
    var p90: Double?
    var p99: Double?
}

/// One partition in a cluster-wide snapshot: the offset its statistics cover and where they came from.
struct PartitionCoverage: Encodable, Sendable, Equatable {
    enum Source: String, Encodable, Sendable { case live, changelog }

    var partition: Int32
    /// The last input offset included; nil when none yet.
    var offset: Int64?
    /// How old the statistics are: 0 for live ones, the checkpoint's age for the others.
    var ageMilliseconds: Int64
    var source: Source
    /// Input records this partition's statistics never saw (offset resets), since its state began,
    /// whichever instance owned it: kept in the state, so a restart does not make them complete.
    var skippedRecords: Int64

    init(partition: Int32, offset: Int64, ageMilliseconds: Int64, source: Source, skippedRecords: Int64 = 0) {
        self.partition = partition
        self.offset = offset >= 0 ? offset : nil
        self.ageMilliseconds = ageMilliseconds
        self.source = source
        self.skippedRecords = skippedRecords
    }

    enum CodingKeys: String, CodingKey {
        case partition, offset
        case ageMilliseconds = "age_ms"
        case source
        case skippedRecords = "skipped_records"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(partition, forKey: .partition)
        try container.encode(offset, forKey: .offset)
        try container.encode(ageMilliseconds, forKey: .ageMilliseconds)
        try container.encode(source, forKey: .source)
        try container.encode(skippedRecords, forKey: .skippedRecords)
    }
}
