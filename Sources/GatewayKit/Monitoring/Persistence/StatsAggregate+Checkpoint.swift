import Histogram

extension StatsAggregate {
    /// Count, then per seen currency its slot and `CurrencyAggregate`, then channels, countries
    /// and the count without country. Slots are the writer's; `init(checkpoint:)` maps them.
    func write(to writer: inout StateWriter) {
        writer.count(count)
        writer.count(currencies.lazy.compactMap { $0 }.count)
        for (slot, currency) in currencies.enumerated() {
            guard let currency else { continue }
            writer.count(slot)
            currency.write(to: &writer)
        }
        writer.count(channels.count)
        for n in channels { writer.count(n) }
        writer.count(countries.count)
        for n in countries { writer.count(n) }
        writer.count(withoutCountry)
    }

    /// Reads an aggregate written by `write(to:)`, moving the writer's currency and country slots
    /// to ours (`SlotMap`); slots that map to the same one (overflow) are merged.
    init(checkpoint reader: inout StateReader, precision: SignificantDigits, slots: SlotMap) throws(StateFormatError) {
        self.init(precision: precision)
        count = try reader.count()
        for _ in 0..<(try reader.count(limit: 1 << 16)) {
            let slot = slots.currency(try reader.count(limit: 1 << 16))
            let currency = try CurrencyAggregate<Count>(checkpoint: &reader, precision: precision)
            merge(currency, at: slot)
        }
        let channelCount = try reader.count(limit: 1 << 10)
        for index in 0..<channelCount {
            let n = try reader.count()
            // A channel this version does not know counts as "unknown" (the last slot).
            channels[index < channels.count ? index : channels.count - 1] += n
        }
        for slot in 0..<(try reader.count(limit: 1 << 16)) {
            add(countryCount: try reader.count(), at: slots.country(slot))
        }
        withoutCountry = try reader.count()
    }

    /// Adds `other`, whose currency and country slots are another interner's (`SlotMap`).
    mutating func merge(_ other: Self, slots: SlotMap) {
        count += other.count
        for (slot, theirs) in other.currencies.enumerated() {
            if let theirs { merge(theirs, at: slots.currency(slot)) }
        }
        for index in channels.indices { channels[index] += other.channels[index] }
        for (slot, n) in other.countries.enumerated() where n > 0 { add(countryCount: n, at: slots.country(slot)) }
        withoutCountry += other.withoutCountry
    }

    private mutating func merge(_ currency: CurrencyAggregate<Count>, at slot: Int) {
        if currencies.count <= slot {
            currencies.append(contentsOf: repeatElement(nil, count: slot + 1 - currencies.count))
        }
        if currencies[slot] == nil { currencies[slot] = currency } else { currencies[slot]!.merge(currency) }
    }

    private mutating func add(countryCount n: Int, at slot: Int) {
        if countries.count <= slot { countries.append(contentsOf: repeatElement(0, count: slot + 1 - countries.count)) }
        countries[slot] += n
    }
}

extension CurrencyAggregate {
    /// Count, exact sum, the exact smallest and largest amounts, then the histogram's non-empty
    /// buckets as (value delta, count) pairs: a sparse form, so a bucket that saw ten amounts
    /// costs tens of bytes, not the 14 KB of its counts array; and independent of the precision,
    /// which the reader may set otherwise. The extremes are kept exactly because a histogram
    /// reports them as its top and bottom quantiles.
    func write(to writer: inout StateWriter) {
        writer.count(count)
        writer.wide(sumTenThousandths)
        writer.varint(histogram.minNonZero == .max ? 0 : histogram.minNonZero)
        writer.varint(histogram.maxRecorded)
        var values: [(UInt64, UInt64)] = []
        for value in histogram.recordedValues() {
            values.append((histogram.lowestEquivalentForValue(value.value), UInt64(value.count)))
        }
        writer.count(values.count)
        var previous: UInt64 = 0
        for (value, n) in values {
            writer.varint(value - previous)
            writer.varint(n)
            previous = value
        }
    }

    init(checkpoint reader: inout StateReader, precision: SignificantDigits) throws(StateFormatError) {
        self.init(precision: precision)
        count = try reader.count()
        sumTenThousandths = try reader.wide()
        let (smallest, largest) = (try reader.varint(), try reader.varint())
        guard largest < UInt64.max / 2 else { throw .malformed("histogram value out of range") }
        var value: UInt64 = 0
        for _ in 0..<(try reader.count()) {
            let (next, overflow) = value.addingReportingOverflow(try reader.varint())
            let n = try reader.varint()
            guard !overflow, next < UInt64.max / 2, n > 0, let counted = Count(exactly: n) else {
                throw .malformed("histogram value or count out of range")
            }
            value = next
            _ = histogram.record(value, count: counted)
        }
        // Same buckets, so the counts do not change; only the exact extremes come back.
        if smallest > 0, histogram.valuesAreEquivalent(smallest, histogram.minNonZero) {
            _ = histogram.record(smallest, count: 0)
        }
        if histogram.valuesAreEquivalent(largest, histogram.maxRecorded) { _ = histogram.record(largest, count: 0) }
    }
}
