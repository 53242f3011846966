/// What `/stats` says about how far its numbers can be trusted, beside the numbers: whether records
/// were skipped (`SkippedRecords`), so that the statistics are not complete. Encoded as top-level
/// keys of the `/stats` document.
struct MonitorStatus: Encodable, Sendable, Equatable {
    /// False once this instance's monitor skipped records (offset resets).
    var complete: Bool
    /// Records skipped since this instance started, all partitions.
    var skippedRecords: Int64
    /// The partitions that had skips, with the latest jump.
    var skipped: [SkippedPartition]

    struct SkippedPartition: Encodable, Sendable, Equatable {
        var partition: Int32
        var records: Int64
        /// The latest jump: the first offset skipped, and the offset read next.
        var lastFromOffset: Int64
        var lastToOffset: Int64

        enum CodingKeys: String, CodingKey {
            case partition, records
            case lastFromOffset = "last_from_offset"
            case lastToOffset = "last_to_offset"
        }
    }

    init(skipped: SkippedRecords) {
        let byPartition = skipped.byPartition
        self.skipped = byPartition.sorted { $0.key < $1.key }.map {
            SkippedPartition(
                partition: $0.key,
                records: $0.value.records,
                lastFromOffset: $0.value.lastFrom,
                lastToOffset: $0.value.lastTo
            )
        }
        skippedRecords = byPartition.values.reduce(0) { $0 + $1.records }
        complete = skippedRecords == 0
    }

    enum CodingKeys: String, CodingKey {
        case complete
        case skippedRecords = "skipped_records"
        case skipped
    }
}
