/// The compacted topic behind the monitor's state changelog, as `StateChangelog` needs it: followed
/// whole outside any group (every record to the handler it was opened with), replayed one partition
/// at a time for a restore, and written per partition. `KafkaChangelogTopic` (KafkaAdapter/) is the
/// real one, opened by the wiring.
package protocol ChangelogTopic: Sendable {
    var name: String { get }
    var partitionCount: Int32 { get }

    /// The partition count of another topic of the same cluster (the monitor's input).
    func partitionCount(of other: String, timeout: Duration) throws -> Int32

    /// The cluster's id, nil when not learnt within `timeout`.
    func clusterID(timeout: Duration) -> String?

    /// Starts following every partition from its beginning, on a thread of its own.
    func startFollowing()

    /// The partition's first and end offsets as its leader says now, nil when not learnt in time.
    func watermarks(partition: Int32, timeout: Duration) -> (low: Int64, high: Int64)?

    /// Reads `partition` from `from` to its end on the calling thread, every wait bounded; between
    /// polls `shouldStop` may end it early (the outcome says so).
    func replay(
        partition: Int32,
        from: Int64,
        shouldStop: () -> Bool,
        handler: (ConsumedRecord) -> Void
    ) throws(ReplayFailure) -> ReplayOutcome

    /// Queues one record for `partition` (a nil value is a tombstone); `completion` runs once, on
    /// another thread, with the acknowledgement or the final failure.
    func write(
        partition: Int32,
        key: [UInt8],
        value: [UInt8]?,
        completion: @escaping @Sendable (ProduceOutcome) -> Void
    ) throws(ProduceFailure)

    /// Stops following and flushes what was written for at most `timeout`.
    func close(timeout: Duration)
}
