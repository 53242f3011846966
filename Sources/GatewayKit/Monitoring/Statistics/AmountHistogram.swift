/// The amounts this instance applied, by currency, counted in fixed buckets: the source of the
/// Prometheus histogram `gateway_transaction_amount` (cumulative `_bucket{le}`, `_sum`, `_count`).
///
/// Fixed bounds, unlike the windows' HdrHistograms, because Prometheus can only add histograms
/// whose buckets are the same: summed across instances (`sum by (le)`) and over time (`rate`),
/// `histogram_quantile` then gives cluster-wide quantiles, which per-instance quantile gauges
/// never could. Per instance and since start, like every counter: it is not part of the
/// partition state and is not checkpointed.
struct AmountHistogram: Sendable {
    /// Upper bounds in currency units; one series per currency, so one scale fits the usual
    /// retail amounts (the last finite bound is above the default high_amount threshold).
    static let bounds: [UInt64] = [
        1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000,
    ]
    private static let boundsTenThousandths = bounds.map { $0 * 10_000 }

    struct Series: Sendable, Equatable {
        /// Per bucket (not cumulative), the last one above every bound (+Inf).
        var buckets = [UInt64](repeating: 0, count: AmountHistogram.bounds.count + 1)
        var count: UInt64 = 0
        var sumTenThousandths: UInt128 = 0
    }

    private var currencies: BoundedInterner
    /// By currency slot, the overflow slot ("other") included.
    private var series: [Series] = []

    init(maxCurrencies: Int) {
        currencies = BoundedInterner(capacity: maxCurrencies)
    }

    mutating func observe(currency: String, tenThousandths: UInt64) {
        let slot = currencies.slot(for: currency)
        if series.count <= slot { series.append(contentsOf: repeatElement(Series(), count: slot + 1 - series.count)) }
        let bucket = Self.boundsTenThousandths.firstIndex { tenThousandths <= $0 } ?? Self.bounds.count
        series[slot].buckets[bucket] += 1
        series[slot].count += 1
        series[slot].sumTenThousandths += UInt128(tenThousandths)
    }

    /// Every currency seen, by name ("other" for the overflow slot), sorted by name.
    var byCurrency: [(currency: String, series: Series)] {
        series.enumerated().compactMap { slot, series in
            series.count == 0 ? nil : (currencies.name(of: slot) ?? "other", series)
        }.sorted { $0.currency < $1.currency }
    }
}
