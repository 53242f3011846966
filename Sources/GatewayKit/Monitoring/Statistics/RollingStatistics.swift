import Histogram

/// Sliding windows over event time plus totals since start, with a watermark for late data.
///
/// The watermark is the highest event time seen. A record whose event time is more than the
/// allowed lateness behind the highest event time of its source (its Kafka partition; overall
/// when no source is given) is counted as `late`, kept out of the windows, and still counted in
/// the totals. Per source, because consumers of different partitions run at different speeds:
/// judged against the overall maximum, a trailing partition's records would all look late.
/// Records that are not late still only enter the windows whose range covers them. A record more than
/// `maxFutureSkew` ahead of the monitor's clock is also kept out of the windows (counted as
/// `future`): one bad client clock must not move the watermark and make everything else late.
///
/// A value type: `Monitor` copies it under its lock (cheap, copy-on-write) and builds snapshots
/// from the copy outside the lock.
struct RollingStatistics: Sendable {
    var windows: [StatsWindow]
    var total: StatsAggregate<UInt64>
    var maxEventMilliseconds: Int64?
    /// Highest event time per source; sources are partitions, so this stays small.
    var maxEventBySource: [Int32: Int64] = [:]
    var late = 0
    var future = 0
    var currencies: BoundedInterner
    var countries: BoundedInterner
    let allowedLatenessMilliseconds: Int64
    let maxFutureSkewMilliseconds: Int64
    /// Monitor clock of the first and the latest record, for the total rate and idle windows.
    var firstRecordAt: Int64?
    var lastRecordAt: Int64?

    /// Where a record went.
    enum Disposition: Equatable, Sendable { case windowed, late, future }

    init(configuration: MonitorConfiguration) {
        let precision = configuration.histogramPrecision
        windows = configuration.windows.map {
            StatsWindow(
                lengthMilliseconds: MonitorClock.milliseconds($0),
                bucketCount: configuration.bucketsPerWindow,
                precision: precision
            )
        }
        total = StatsAggregate(precision: precision)
        currencies = BoundedInterner(capacity: configuration.maxCurrencies)
        countries = BoundedInterner(capacity: configuration.maxTrackedCountries)
        allowedLatenessMilliseconds = MonitorClock.milliseconds(configuration.allowedLateness)
        maxFutureSkewMilliseconds = MonitorClock.milliseconds(configuration.maxFutureSkew)
    }

    @discardableResult
    mutating func record(
        _ tx: Transaction,
        tenThousandths: UInt64,
        eventTime: Int64,
        source: Int32? = nil,
        now: Int64
    ) -> Disposition {
        let sample = StatsSample(
            currencySlot: currencies.slot(for: tx.currency),
            tenThousandths: tenThousandths,
            channelSlot: ChannelSlot.index(of: tx.channel),
            countrySlot: tx.country.map { countries.slot(for: $0) }
        )
        total.add(sample)
        firstRecordAt = firstRecordAt ?? now
        lastRecordAt = max(lastRecordAt ?? now, now)
        let disposition = classify(eventTime: eventTime, source: source, now: now)
        switch disposition {
        case .late: late += 1
        case .future: future += 1
        case .windowed:
            maxEventMilliseconds = max(maxEventMilliseconds ?? eventTime, eventTime)
            if let source { maxEventBySource[source] = max(maxEventBySource[source] ?? eventTime, eventTime) }
            for index in windows.indices { windows[index].add(sample, atMilliseconds: eventTime) }
        }
        return disposition
    }

    private func classify(eventTime: Int64, source: Int32?, now: Int64) -> Disposition {
        if eventTime > now &+ maxFutureSkewMilliseconds { return .future }
        let reference = source.flatMap { maxEventBySource[$0] } ?? (source == nil ? maxEventMilliseconds : nil)
        if let reference, eventTime < reference &- allowedLatenessMilliseconds { return .late }
        return .windowed
    }

    /// The event time the windows are read at. With traffic flowing it is the watermark; when the
    /// stream goes idle it keeps moving with the monitor's clock, so that a dashboard sees the
    /// 1-minute rate fall to zero instead of freezing at its last value.
    func windowEnd(now: Int64) -> Int64? {
        guard let maxEvent = maxEventMilliseconds else { return nil }
        let idle = max(0, now - (lastRecordAt ?? now))
        return maxEvent + idle
    }
}
