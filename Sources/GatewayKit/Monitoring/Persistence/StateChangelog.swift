import CoreSupport
import Foundation
import Logging
import Synchronization

/// The monitor's changelog topic (`--state-topic`, default `transactions.monitor-state`,
/// compacted): input partition p's state goes to changelog partition p as small keyed records
/// (`ChangelogKey`), one per changed account, dedupe chunk and statistics bucket, each flush closed
/// by the partition's meta record. Compaction keeps the newest record of each key, so the topic
/// holds the whole state once and grows with the number of accounts, never with time.
///
/// Writes those records through the topic (`ChangelogTopic`: a producer of its own, kept off the
/// transactions' producers), keeps the follower that reads every partition's statistics for
/// `/stats`, and reads the replays a restore needs.
final class StateChangelog: Sendable {
    /// The changelog topic's name.
    let topic: String
    /// This instance's name in the meta records it writes.
    let writer: String
    /// The cluster's id, so that a local store written against another cluster is recognised.
    let clusterID: String
    let follower: ChangelogFollower
    /// How long a revocation waits for its last flush to be acknowledged.
    let finalFlushTimeout: Duration
    /// Largest record written; state is split so that none comes near it.
    static let maxRecordBytes = 256 << 10
    private let log: any ChangelogTopic
    private let logger: Logger
    private let tally = Mutex(Tally())

    struct Tally: Sendable, Equatable {
        var flushes = 0
        var recordsWritten = 0
        var bytesWritten = 0
        var largestRecordBytes = 0
        var failed = 0
        var restores = 0
        var restoresFromLocalStore = 0
        var restoreRetries = 0
        var restoreRecords = 0
        var restoreBytes = 0
        var restoreSeconds = 0.0
        var storesDiscarded = 0
        var incompleteRestores = 0
    }

    /// Checks the opened changelog `log`, whose records go to `follower`, against the input topic;
    /// throws `StateTopicProblem` when it has fewer partitions than the input (the gateway then
    /// refuses to start), after closing it.
    init(log: any ChangelogTopic, follower: ChangelogFollower, inputTopic: String, logger: Logger) throws {
        topic = log.name
        self.log = log
        self.follower = follower
        self.logger = logger
        writer = "\(ProcessInfo.processInfo.hostName)/\(getpid())"
        finalFlushTimeout = .seconds(5)
        do {
            let inputPartitions = try log.partitionCount(of: inputTopic, timeout: .seconds(10))
            guard log.partitionCount >= inputPartitions else {
                throw StateTopicProblem.tooFewPartitions(
                    topic: log.name,
                    has: log.partitionCount,
                    inputTopic: inputTopic,
                    needs: inputPartitions
                )
            }
        } catch {
            log.close(timeout: .zero)
            throw error
        }
        clusterID = log.clusterID(timeout: .seconds(10)) ?? "unknown-cluster"
    }

    func start() { log.startFollowing() }

    /// Stops the follower and flushes the producer for at most `timeout`.
    func close(timeout: Duration) {
        log.close(timeout: timeout)
    }

    var counts: Tally { tally.withLock { $0 } }

    func count(_ update: (inout Tally) -> Void) { tally.withLock { update(&$0) } }

    /// Produces one flush's records to changelog `partition`, in order; the meta record must be
    /// last. `completion` runs once, on the producer's thread, with the meta record's offset when
    /// every record was acknowledged, or nil when any was not (the rows stay unconfirmed and the
    /// next flush sends them again). A full local queue is waited out, for at most `queueWait`.
    func write(
        partition: Int32,
        rows: [(key: [UInt8], value: [UInt8]?)],
        queueWait: Duration = .seconds(30),
        completion: @escaping @Sendable (Int64?) -> Void
    ) {
        let flush = FlushTracker(count: rows.count, completion: completion)
        let bytes = rows.reduce(0) { $0 + $1.key.count + ($1.value?.count ?? 0) }
        let largest = rows.reduce(0) { max($0, $1.key.count + ($1.value?.count ?? 0)) }
        tally.withLock { tally in
            tally.flushes += 1
            tally.recordsWritten += rows.count
            tally.bytesWritten += bytes
            tally.largestRecordBytes = max(tally.largestRecordBytes, largest)
        }
        let deadline = ContinuousClock.now + queueWait
        for (index, row) in rows.enumerated() {
            let isMeta = ChangelogKey.isMeta(row.key)
            do {
                try produceWaitingForRoom(partition: partition, row: row, until: deadline) { result in
                    switch result {
                    case .accepted(_, let offset): flush.acknowledged(metaOffset: isMeta ? offset : nil)
                    case .failed: flush.failed()
                    }
                }
            } catch {
                tally.withLock { $0.failed += 1 }
                logger.warning(
                    "state flush not queued",
                    metadata: ["partition": "\(partition)", "error": "\(error.name)", "queued": "\(index)"]
                )
                flush.abandon(remaining: rows.count - index)
                return
            }
        }
    }

    private func produceWaitingForRoom(
        partition: Int32,
        row: (key: [UInt8], value: [UInt8]?),
        until deadline: ContinuousClock.Instant,
        completion: @escaping @Sendable (ProduceOutcome) -> Void
    ) throws(ProduceFailure) {
        while true {
            do {
                try log.write(partition: partition, key: row.key, value: row.value, completion: completion)
                return
            } catch  where error.kind == .queueFull && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
    }

    /// The changelog partition's first and end offsets, asked for until known or `shouldStop`.
    func watermarks(partition: Int32, shouldStop: () -> Bool) -> (low: Int64, high: Int64)? {
        var wait = 0.05
        while !shouldStop() {
            if let marks = log.watermarks(partition: partition, timeout: .seconds(5)) { return marks }
            tally.withLock { $0.restoreRetries += 1 }
            logger.warning("changelog end offset not learnt; retrying", metadata: ["partition": "\(partition)"])
            Thread.sleep(forTimeInterval: wait)
            wait = min(wait * 2, 2)
        }
        return nil
    }

    /// Reads changelog `partition` from `from` to its end on the calling thread (see `ChangelogTopic.replay`).
    func replay(
        partition: Int32,
        from: Int64,
        shouldStop: () -> Bool,
        handler: (ConsumedRecord) -> Void
    ) throws(ReplayFailure) -> ReplayOutcome {
        try log.replay(partition: partition, from: from, shouldStop: shouldStop, handler: handler)
    }
}

/// Counts one flush's acknowledgements down to its completion.
private final class FlushTracker: Sendable {
    private struct State {
        var remaining: Int
        var failed = false
        var metaOffset: Int64?
        var completion: (@Sendable (Int64?) -> Void)?
    }
    private let state: Mutex<State>

    init(count: Int, completion: @escaping @Sendable (Int64?) -> Void) {
        state = Mutex(State(remaining: count, completion: completion))
    }

    func acknowledged(metaOffset: Int64?) { settle(1) { if let metaOffset { $0.metaOffset = metaOffset } } }

    func failed() { settle(1) { $0.failed = true } }

    func abandon(remaining: Int) { settle(remaining) { $0.failed = true } }

    private func settle(_ n: Int, _ update: (inout State) -> Void) {
        let done = state.withLock { state -> (@Sendable (Int64?) -> Void, Int64?)? in
            update(&state)
            state.remaining -= n
            guard state.remaining <= 0, let completion = state.completion else { return nil }
            state.completion = nil
            return (completion, state.failed ? nil : state.metaOffset)
        }
        if let (completion, offset) = done { completion(offset) }
    }
}

/// Why the gateway refuses to start with monitoring on: the state model needs the changelog.
enum StateTopicProblem: Error, CustomStringConvertible {
    case missing(topic: String, bootstrap: String)
    case tooFewPartitions(topic: String, has: Int32, inputTopic: String, needs: Int32)

    var description: String {
        switch self {
        case .missing(let topic, let bootstrap):
            "the monitor's state topic \(topic) does not exist on \(bootstrap): create it (cleanup.policy=compact, "
                + "as many partitions as the transactions topic; see README, \"Scale-out\"), set --state-topic, or run with --consumers 0"
        case .tooFewPartitions(let topic, let has, let inputTopic, let needs):
            "the monitor's state topic \(topic) has \(has) partitions, fewer than the \(needs) of \(inputTopic): "
                + "each input partition's state goes to the changelog partition of the same number"
        }
    }
}
