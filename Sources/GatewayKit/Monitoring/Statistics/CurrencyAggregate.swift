import Histogram

/// Count, exact sum and amount distribution of one currency inside one `StatsAggregate`.
///
/// `Count` is the histogram's counter type: `UInt32` for time buckets (a bucket never sees
/// 4 billion records, and it halves their memory), `UInt64` for totals since start.
struct CurrencyAggregate<Count: FixedWidthInteger & Codable & Sendable>: Sendable {
    var count = 0
    var sumTenThousandths: UInt128 = 0
    /// Amounts in hundredths. Sized up front for amounts up to 100,000,000.00 (about 14 KB with
    /// `UInt32` counts at two significant digits) and auto-resizing beyond, so that memory does
    /// not have to cover the largest possible amount (10^15) in every bucket.
    var histogram: Histogram<Count>

    /// Growing a histogram is slow (its resize appends through unspecialized generic code, tens of
    /// microseconds): starting small and growing with each new largest amount cost 2 us per
    /// record in the benchmark. One size that covers nearly all amounts avoids it.
    static var initialHighestHundredths: UInt64 { 10_000_000_000 }

    init(precision: SignificantDigits) {
        histogram = Histogram(
            highestTrackableValue: Self.initialHighestHundredths,
            numberOfSignificantValueDigits: precision
        )
        histogram.autoResize = true
    }

    mutating func add(tenThousandths units: UInt64) {
        count += 1
        sumTenThousandths += UInt128(units)
        // Cannot fail: auto-resizing histograms take any value below UInt64.max / 2.
        histogram.record(Amount.hundredths(tenThousandths: units))
    }

    mutating func merge(_ other: Self) {
        count += other.count
        sumTenThousandths += other.sumTenThousandths
        histogram.add(other.histogram)
    }

    /// The amount at a percentile (0...100), in currency units; within the histogram's precision.
    func amount(atPercentile percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 100
    }
}
