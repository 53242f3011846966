/// One record the gateway read from Kafka, in its own terms: where it sits in its partition, its
/// key, value and headers. The bytes are the consumer's own arrays, shared, never copied again.
package struct ConsumedRecord: Sendable {
    package let partition: Int32
    package let offset: Int64
    package let key: [UInt8]?
    package let value: [UInt8]
    package let headers: [RecordHeader]
    /// The record has no value at all (a compaction tombstone), not an empty one.
    package let isTombstone: Bool

    package init(
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8],
        headers: [RecordHeader] = [],
        isTombstone: Bool = false
    ) {
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.isTombstone = isTombstone
    }
}
