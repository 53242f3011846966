import Foundation

extension RollingStatistics {
    /// Reads the windows and totals. O(buckets x currencies x histogram size): meant for
    /// scrapes, off the lock (on a copy), never per record.
    func snapshot(now: Int64, topCountries: Int) -> StatisticsSnapshot {
        let end = windowEnd(now: now)
        let windowStatistics = windows.map { window in
            let aggregate = end.map { window.aggregate(endingAtMilliseconds: $0) }
                ?? StatsAggregate<UInt32>(precision: total.precision)
            let seconds = Double(window.lengthMilliseconds) / 1000
            return statistics(of: aggregate, label: window.label, lengthSeconds: seconds,
                              rateDivisor: seconds, topCountries: topCountries)
        }
        let elapsed = max(1, Double(now - (firstRecordAt ?? now)) / 1000)
        return StatisticsSnapshot(
            generatedAt: MonitorClock.date(milliseconds: now),
            watermark: maxEventMilliseconds.map(MonitorClock.date(milliseconds:)),
            windowEnd: end.map(MonitorClock.date(milliseconds:)),
            allowedLatenessSeconds: Double(allowedLatenessMilliseconds) / 1000,
            late: late, future: future,
            windows: windowStatistics,
            total: statistics(of: total, label: "total", lengthSeconds: nil,
                              rateDivisor: elapsed, topCountries: topCountries))
    }

    private func statistics<Count>(
        of aggregate: StatsAggregate<Count>, label: String, lengthSeconds: Double?,
        rateDivisor: Double, topCountries: Int
    ) -> WindowStatistics {
        WindowStatistics(
            label: label, lengthSeconds: lengthSeconds, count: aggregate.count,
            ratePerSecond: Double(aggregate.count) / rateDivisor,
            currencies: currencyStatistics(aggregate),
            byChannel: channelCounts(aggregate),
            byCountry: countryCounts(aggregate, top: topCountries))
    }

    private func currencyStatistics<Count>(_ aggregate: StatsAggregate<Count>) -> [String: CurrencyStatistics] {
        var result: [String: CurrencyStatistics] = [:]
        for (slot, currency) in aggregate.currencies.enumerated() {
            guard let currency else { continue }
            if let code = currencies.name(of: slot) {
                result[code] = CurrencyStatistics(
                    count: currency.count,
                    sum: Amount.decimalString(tenThousandths: currency.sumTenThousandths),
                    p50: currency.amount(atPercentile: 50), p90: currency.amount(atPercentile: 90),
                    p99: currency.amount(atPercentile: 99))
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
