import Foundation

/// The statistics of several partitions (each a `RollingStatistics` with its own slot numbers)
/// merged at one instant: windows read at one common end, totals added, names mapped to one
/// pair of interners. A single partition's snapshot is the merge of one.
struct MergedStatistics {
    var currencies: BoundedInterner
    var countries: BoundedInterner
    var windows: [(label: String, lengthMilliseconds: Int64, aggregate: StatsAggregate<UInt32>)]
    var total: StatsAggregate<UInt64>
    var watermark: Int64?
    var windowEnd: Int64?
    var late = 0
    var future = 0
    var firstRecordAt: Int64?
    let allowedLatenessMilliseconds: Int64

    /// The windows are read at the latest end among the parts (see `RollingStatistics.windowEnd`),
    /// so a partition that went quiet slides with the others instead of freezing.
    init(_ parts: [RollingStatistics], now: Int64, configuration: MonitorConfiguration) {
        let template = RollingStatistics(configuration: configuration)
        currencies = template.currencies
        countries = template.countries
        total = template.total
        allowedLatenessMilliseconds = template.allowedLatenessMilliseconds
        windowEnd = parts.compactMap { $0.windowEnd(now: now) }.max()
        let end = windowEnd
        windows = template.windows.map {
            ($0.label, $0.lengthMilliseconds, StatsAggregate<UInt32>(precision: template.total.precision))
        }
        for part in parts {
            let slots = SlotMap(
                currencyNames: part.currencies.names,
                countryNames: part.countries.names,
                into: &currencies,
                &countries
            )
            total.merge(part.total, slots: slots)
            for (index, window) in part.windows.enumerated()
            where index < windows.count && window.label == windows[index].label {
                if let end { windows[index].aggregate.merge(window.aggregate(endingAtMilliseconds: end), slots: slots) }
            }
            watermark = [watermark, part.maxEventMilliseconds].compactMap { $0 }.max()
            firstRecordAt = [firstRecordAt, part.firstRecordAt].compactMap { $0 }.min()
            late += part.late
            future += part.future
        }
    }

    /// Reads the merged windows and totals. O(windows x currencies x histogram size): meant for
    /// scrapes, never per record.
    func snapshot(now: Int64, topCountries: Int) -> StatisticsSnapshot {
        let windowStatistics = windows.map { window in
            let seconds = Double(window.lengthMilliseconds) / 1000
            return statistics(
                of: window.aggregate,
                label: window.label,
                lengthSeconds: seconds,
                rateDivisor: seconds,
                topCountries: topCountries
            )
        }
        let elapsed = max(1, Double(now - (firstRecordAt ?? now)) / 1000)
        return StatisticsSnapshot(
            generatedAt: MonitorClock.date(milliseconds: now),
            watermark: watermark.map(MonitorClock.date(milliseconds:)),
            windowEnd: windowEnd.map(MonitorClock.date(milliseconds:)),
            allowedLatenessSeconds: Double(allowedLatenessMilliseconds) / 1000,
            late: late,
            future: future,
            windows: windowStatistics,
            total: statistics(
                of: total,
                label: "total",
                lengthSeconds: nil,
                rateDivisor: elapsed,
                topCountries: topCountries
            )
        )
    }

    private func statistics<Count>(
        of aggregate: StatsAggregate<Count>,
        label: String,
        lengthSeconds: Double?,
        rateDivisor: Double,
        topCountries: Int
    ) -> WindowStatistics {
        WindowStatistics(
            label: label,
            lengthSeconds: lengthSeconds,
            count: aggregate.count,
            ratePerSecond: Double(aggregate.count) / rateDivisor,
            currencies: currencyStatistics(aggregate),
            byChannel: channelCounts(aggregate),
            byCountry: countryCounts(aggregate, top: topCountries)
        )
    }

    private func currencyStatistics<Count>(_ aggregate: StatsAggregate<Count>) -> [String: CurrencyStatistics] {
        var result: [String: CurrencyStatistics] = [:]
        for (slot, currency) in aggregate.currencies.enumerated() {
            guard let currency else { continue }
            if let code = currencies.name(of: slot) {
                result[code] = CurrencyStatistics(
                    count: currency.count,
                    sum: Amount.decimalString(tenThousandths: currency.sumTenThousandths),
                    p50: currency.amount(atPercentile: 50),
                    p90: currency.amount(atPercentile: 90),
                    p99: currency.amount(atPercentile: 99)
                )
            } else {
                result["other"] = CurrencyStatistics(count: currency.count)
            }
        }
        return result
    }

    private func channelCounts<Count>(_ aggregate: StatsAggregate<Count>) -> [String: Int] {
        var result: [String: Int] = [:]
        for (index, n) in aggregate.channels.enumerated() where n > 0 {
            result[ChannelSlot.names[index]] = n
        }
        return result
    }

    /// The `top` countries by count (ties by code, for stable output); the rest as "other".
    private func countryCounts<Count>(_ aggregate: StatsAggregate<Count>, top: Int) -> [String: Int] {
        var named: [(code: String, count: Int)] = []
        var other = 0
        for (slot, n) in aggregate.countries.enumerated() where n > 0 {
            if let code = countries.name(of: slot) { named.append((code, n)) } else { other += n }
        }
        named.sort { $0.count != $1.count ? $0.count > $1.count : $0.code < $1.code }
        var result: [String: Int] = [:]
        for (rank, entry) in named.enumerated() {
            if rank < top { result[entry.code] = entry.count } else { other += entry.count }
        }
        if other > 0 { result["other"] = other }
        if aggregate.withoutCountry > 0 { result["unknown"] = aggregate.withoutCountry }
        return result
    }
}
