import Histogram

extension RollingStatistics {
    /// Names first (so a reader can map slots), then times and counts, then the totals and every
    /// window's live buckets.
    func write(to writer: inout StateWriter) {
        writer.count(currencies.names.count)
        for name in currencies.names { writer.string(name) }
        writer.count(countries.names.count)
        for name in countries.names { writer.string(name) }
        writer.optional(maxEventMilliseconds) { $0.signed($1) }
        writer.count(maxEventBySource.count)
        for (source, time) in maxEventBySource.sorted(by: { $0.key < $1.key }) {
            writer.signed(Int64(source))
            writer.signed(time)
        }
        writer.count(late)
        writer.count(future)
        writer.optional(firstRecordAt) { $0.signed($1) }
        writer.optional(lastRecordAt) { $0.signed($1) }
        total.write(to: &writer)
        writer.count(windows.count)
        for window in windows { window.write(to: &writer) }
    }

    /// Rebuilds statistics written by `write(to:)` under this process's configuration: windows of
    /// a length or bucket count it does not have are left out (they start empty), amounts are
    /// re-recorded at its histogram precision.
    init(checkpoint reader: inout StateReader, configuration: MonitorConfiguration) throws(StateFormatError) {
        self.init(configuration: configuration)
        let currencyNames = try (0..<(try reader.count(limit: 1 << 16))).map { _ throws(StateFormatError) in
            try reader.string()
        }
        let countryNames = try (0..<(try reader.count(limit: 1 << 16))).map { _ throws(StateFormatError) in
            try reader.string()
        }
        let slots = SlotMap(currencyNames: currencyNames, countryNames: countryNames, into: &currencies, &countries)
        maxEventMilliseconds = try reader.optional { reader throws(StateFormatError) in try reader.signed() }
        for _ in 0..<(try reader.count(limit: 1 << 20)) {
            let source = Int32(truncatingIfNeeded: try reader.signed())
            maxEventBySource[source] = try reader.signed()
        }
        late = try reader.count()
        future = try reader.count()
        firstRecordAt = try reader.optional { reader throws(StateFormatError) in try reader.signed() }
        lastRecordAt = try reader.optional { reader throws(StateFormatError) in try reader.signed() }
        let precision = total.precision
        total = try StatsAggregate(checkpoint: &reader, precision: precision, slots: slots)
        for _ in 0..<(try reader.count(limit: 1 << 10)) {
            let window = try StatsWindow(checkpoint: &reader, precision: precision, slots: slots)
            if let index = windows.firstIndex(where: {
                $0.lengthMilliseconds == window.lengthMilliseconds && $0.bucketCount == window.bucketCount
            }) {
                windows[index] = window
            }
        }
    }
}

extension StatsWindow {
    func write(to writer: inout StateWriter) {
        writer.signed(lengthMilliseconds)
        writer.count(bucketCount)
        writer.signed(newestBucket)
        let live = buckets.filter { $0.number != .min }
        writer.count(live.count)
        for bucket in live {
            writer.signed(bucket.number)
            bucket.aggregate.write(to: &writer)
        }
    }

    init(checkpoint reader: inout StateReader, precision: SignificantDigits, slots: SlotMap) throws(StateFormatError) {
        let length = try reader.signed()
        let count = try reader.count(limit: 3600)
        guard length > 0, count > 0 else { throw .malformed("window of length \(length) with \(count) buckets") }
        self.init(lengthMilliseconds: length, bucketCount: count, precision: precision)
        newestBucket = try reader.signed()
        for _ in 0..<(try reader.count(limit: count)) {
            let number = try reader.signed()
            let aggregate = try StatsAggregate<UInt32>(checkpoint: &reader, precision: precision, slots: slots)
            let slot = Int(number.modulo(Int64(buckets.count)))
            buckets[slot] = Bucket(number: number, aggregate: aggregate)
        }
    }
}
