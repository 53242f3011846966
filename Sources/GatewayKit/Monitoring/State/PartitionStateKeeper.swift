import Foundation
import KafkaBridge
import Logging
import Synchronization

/// One consumer's side of the state model (one keeper per consumer of the monitor's group):
/// restores a partition's state when it is assigned, checkpoints the partitions it owns every
/// `interval`, and writes a last checkpoint before it gives one up.
///
/// Offsets: the consumer stores none by itself (`storesOffsetsAfterHandler` off); the keeper
/// stores `covered + 1` only once a checkpoint covering `covered` is acknowledged, so the group's
/// committed offset never runs ahead of the changelog. A restore seeks to the checkpoint's
/// `covered + 1` whatever was committed: state and position always come from the same record,
/// which is why nothing is counted twice (see ARCHITECTURE.md, "State model").
///
/// Every method but the delivery callbacks runs on the consumer's thread, between records.
final class PartitionStateKeeper: ConsumerPartitionListener {
    private let monitor: Monitor
    private let changelog: StateChangelog
    private let interval: Duration
    private let logger: Logger
    /// Set once the consumer exists (the consumer needs the keeper first); weak, as the consumer
    /// holds the keeper.
    private let storeOffsets = Mutex<(@Sendable ([Int32: Int64]) -> Void)?>(nil)
    /// Per owned partition: the offset the last acknowledged-or-sent checkpoint covers, and when.
    private let owned = Mutex<[Int32: Progress]>([:])

    private struct Progress {
        var checkpointed: Int64
        var at: ContinuousClock.Instant
    }

    init(monitor: Monitor, changelog: StateChangelog, interval: Duration, logger: Logger) {
        self.monitor = monitor
        self.changelog = changelog
        self.interval = interval
        self.logger = logger
    }

    func attach(_ worker: KafkaConsumerWorker) {
        storeOffsets.withLock { $0 = { [weak worker] offsets in worker?.storeOffsets(offsets) } }
    }

    // MARK: ConsumerPartitionListener (consumer thread)

    func partitionsAssigned(_ partitions: [Int32]) -> [Int32: Int64] {
        var start: [Int32: Int64] = [:]
        for partition in partitions {
            let restored = changelog.restore(partition: partition, configuration: monitor.configuration)
            let state = restored?.state ?? PartitionState(configuration: monitor.configuration)
            monitor.install(state, for: partition)
            if let restored { start[partition] = restored.coveredOffset + 1 }
            owned.withLock { $0[partition] = Progress(checkpointed: state.coveredOffset, at: .now) }
        }
        return start
    }

    func partitionsRevoked(_ partitions: [Int32], lost: Bool) {
        if !lost {
            let deadline = ContinuousClock.now + changelog.finalCheckpointTimeout
            let acknowledged = partitions.filter { checkpoint($0, waitUntil: deadline) }
            if acknowledged.count < partitions.count {
                logger.warning(
                    "final checkpoint not acknowledged; the next owner resumes from the previous one",
                    metadata: ["partitions": "\(Set(partitions).subtracting(acknowledged).sorted())"]
                )
            }
        }
        for partition in partitions { monitor.drop(partition: partition) }
        owned.withLock { owned in for partition in partitions { owned[partition] = nil } }
    }

    func polled() {
        let now = ContinuousClock.now
        let due = owned.withLock { owned in owned.filter { now - $0.value.at >= interval }.map(\.key) }
        for partition in due { checkpoint(partition, waitUntil: nil) }
    }

    // MARK: checkpoints

    /// Writes the partition's state if it moved since the last checkpoint. With `waitUntil`, waits
    /// for the acknowledgement (bounded) and returns whether it came (or nothing was due).
    @discardableResult
    private func checkpoint(_ partition: Int32, waitUntil deadline: ContinuousClock.Instant?) -> Bool {
        let started = ContinuousClock.now
        guard let state = monitor.state(of: partition),
            let previous = owned.withLock({ owned -> Int64? in
                owned[partition]?.at = started
                return owned[partition]?.checkpointed
            }),
            state.coveredOffset > previous
        else { return true }
        let covered = state.coveredOffset
        let done = DispatchSemaphore(value: 0)
        let acknowledged = Atomic(false)
        let sent = changelog.write(
            PartitionCheckpoint(
                partition: partition,
                coveredOffset: covered,
                createdAt: MonitorClock.milliseconds(Date()),
                writer: changelog.writer,
                state: state
            )
        ) { [self] ok in
            if ok {
                acknowledged.store(true, ordering: .releasing)
                storeOffsets.withLock { $0 }?([partition: covered + 1])
            } else {
                // Not written: let the next interval try again.
                owned.withLock { owned in
                    if owned[partition]?.checkpointed == covered { owned[partition]?.checkpointed = previous }
                }
            }
            done.signal()
        }
        guard sent else { return false }
        owned.withLock { $0[partition]?.checkpointed = covered }
        guard let deadline else { return true }
        let seconds = max(0, Double((deadline - .now).clampedNanoseconds) / 1e9)
        _ = done.wait(timeout: .now() + seconds)
        return acknowledged.load(ordering: .acquiring)
    }
}
