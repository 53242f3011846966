import Histogram

/// Count, exact sum and amount distribution of one currency inside one `StatsAggregate`.
///
/// `Count` is the histogram's counter type: `UInt32` for time buckets (a bucket never sees
/// 4 billion records, and it halves their memory), `UInt64` for totals since start.
struct CurrencyAggregate<Count: FixedWidthInteger & Codable & Sendable>: Sendable {
    private(set) var count = 0
    private(set) var sumTenThousandths: UInt128 = 0
    /// Amounts in hundredths. Auto-resizing, so its memory follows the largest amount seen
    /// (about 7 KB up to 10,000.00 at two significant digits), not the largest possible one.
    private(set) var histogram: Histogram<Count>

    init(precision: SignificantDigits) {
        histogram = Histogram(numberOfSignificantValueDigits: precision)
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
