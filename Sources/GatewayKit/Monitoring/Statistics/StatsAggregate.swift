import Histogram

/// Everything the statistics count about a set of transactions: one time bucket, one merged
/// window, or the totals since start. Arrays indexed by slot keep the per-record cost at a
/// few array writes; their length is bounded by the interners' capacities.
struct StatsAggregate<Count: FixedWidthInteger & Codable & Sendable>: Sendable {
    let precision: SignificantDigits
    var count = 0
    /// By currency slot; nil where the currency has not been seen in this aggregate.
    var currencies: [CurrencyAggregate<Count>?] = []
    /// By `ChannelSlot` index.
    var channels = [Int](repeating: 0, count: ChannelSlot.count)
    /// By country slot.
    var countries: [Int] = []
    var withoutCountry = 0

    init(precision: SignificantDigits) {
        self.precision = precision
    }

    mutating func add(_ sample: StatsSample) {
        count += 1
        growCurrencies(to: sample.currencySlot + 1)
        if currencies[sample.currencySlot] == nil {
            currencies[sample.currencySlot] = CurrencyAggregate(precision: precision)
        }
        currencies[sample.currencySlot]!.add(tenThousandths: sample.tenThousandths)
        channels[sample.channelSlot] += 1
        if let country = sample.countrySlot {
            growCountries(to: country + 1)
            countries[country] += 1
        } else {
            withoutCountry += 1
        }
    }

    mutating func merge(_ other: Self) {
        count += other.count
        growCurrencies(to: other.currencies.count)
        for (slot, theirs) in other.currencies.enumerated() {
            guard let theirs else { continue }
            if currencies[slot] == nil {
                currencies[slot] = theirs
            } else {
                currencies[slot]!.merge(theirs)
            }
        }
        for index in channels.indices { channels[index] += other.channels[index] }
        growCountries(to: other.countries.count)
        for (slot, n) in other.countries.enumerated() { countries[slot] += n }
        withoutCountry += other.withoutCountry
    }

    private mutating func growCurrencies(to length: Int) {
        if currencies.count < length {
            currencies.append(contentsOf: repeatElement(nil, count: length - currencies.count))
        }
    }

    private mutating func growCountries(to length: Int) {
        if countries.count < length {
            countries.append(contentsOf: repeatElement(0, count: length - countries.count))
        }
    }
}
