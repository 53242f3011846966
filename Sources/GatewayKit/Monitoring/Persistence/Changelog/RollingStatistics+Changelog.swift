import Histogram

/// The statistics as changelog records: the header (in the meta record) plus one record per time
/// bucket, so that a flush writes the few buckets that changed, not every window.
extension RollingStatistics {
    var header: PartitionMeta.StatisticsHeader {
        PartitionMeta.StatisticsHeader(
            currencyNames: currencies.names,
            countryNames: countries.names,
            maxEventMilliseconds: maxEventMilliseconds,
            maxEventBySource: maxEventBySource,
            late: late,
            future: future,
            firstRecordAt: firstRecordAt,
            lastRecordAt: lastRecordAt,
            total: total,
            windows: windows.map { ($0.lengthMilliseconds, $0.bucketCount, $0.newestBucket) }
        )
    }

    /// The buckets changed since the last call, as (key, value) records.
    mutating func drainChangedBuckets() -> [(key: ChangelogKey, value: [UInt8])] {
        var records: [(key: ChangelogKey, value: [UInt8])] = []
        for index in windows.indices {
            let window = windows[index]
            for (slot, bucket) in windows[index].drainChangedBuckets() {
                let key = ChangelogKey.bucket(
                    lengthMilliseconds: window.lengthMilliseconds,
                    bucketCount: window.bucketCount,
                    slot: slot
                )
                var out = StateWriter(reservingCapacity: 1024)
                out.signed(bucket.number)
                bucket.aggregate.write(to: &out)
                records.append((key, out.bytes))
            }
        }
        return records
    }

    /// Rebuilds statistics from a meta record's header and the partition's bucket records, under
    /// this process's configuration: windows of another shape are left empty, names beyond its
    /// bounds go to "other".
    init(
        header: PartitionMeta.StatisticsHeader,
        buckets: [(key: ChangelogKey, value: [UInt8])],
        configuration: MonitorConfiguration
    ) throws(StateFormatError) {
        self.init(configuration: configuration)
        let slots = SlotMap(
            currencyNames: header.currencyNames,
            countryNames: header.countryNames,
            into: &currencies,
            &countries
        )
        maxEventMilliseconds = header.maxEventMilliseconds
        maxEventBySource = header.maxEventBySource
        late = header.late
        future = header.future
        firstRecordAt = header.firstRecordAt
        lastRecordAt = header.lastRecordAt
        total.merge(header.total, slots: slots)
        for written in header.windows {
            guard let index = windowIndex(written.lengthMilliseconds, written.bucketCount) else { continue }
            windows[index].newestBucket = written.newestBucket
        }
        let precision = total.precision
        for (key, value) in buckets {
            guard case .bucket(let length, let count, let slot) = key, let index = windowIndex(length, count),
                slot < windows[index].buckets.count
            else { continue }
            var reader = StateReader(value)
            let number = try reader.signed()
            let read = try StatsAggregate<UInt32>(checkpoint: &reader, precision: precision, slots: .identity)
            var mapped = StatsAggregate<UInt32>(precision: precision)
            mapped.merge(read, slots: slots)
            windows[index].buckets[slot] = StatsWindow.Bucket(number: number, aggregate: mapped)
        }
    }

    private func windowIndex(_ length: Int64, _ count: Int) -> Int? {
        windows.firstIndex { $0.lengthMilliseconds == length && $0.bucketCount == count }
    }
}
