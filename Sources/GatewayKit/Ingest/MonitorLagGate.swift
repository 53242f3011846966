import CoreSupport
import Foundation
import Logging
import Synchronization

/// Keep up, or push back: while the monitor is more than `bound` records behind on a partition,
/// `POST /transactions` answers 503 with Retry-After and produces nothing, until the monitor is
/// back within half the bound (hysteresis, so that the gate does not flap at the bound).
///
/// Why per partition, and the largest lag: the embedded cluster (librdkafka's mock) keeps about
/// 5 MB per partition and deletes the oldest records past it, so what loses records is one partition
/// running ahead of its consumer, however small the total. Keyed traffic can load one partition
/// much more than the others.
///
/// Lag per partition: the end of the partition, taken as the larger of the consumer's cached high
/// watermark and what this instance's producer had acknowledged there (the cached watermark goes
/// stale exactly when it matters: a consumer whose queue is full does not fetch), minus the
/// consumer's position. Partitions this instance's consumers do not own count from the last
/// position seen when `coversUnownedPartitions` (a single gateway on the in-process cluster: the
/// group is still joining, or rebalancing); otherwise another instance owns them and bounds them.
///
/// `admits` is one atomic load per request; a thread of its own samples the lag every
/// `samplePeriod`, so records accepted between two samples and those awaiting acknowledgement
/// (`--max-pending-records`) can overshoot the bound: the default bound leaves room for them.
final class MonitorLagGate: Sendable {
    let bound: Int64
    let resumeAt: Int64
    private let coversUnownedPartitions: Bool
    private let logger: Logger
    private let refusing = Atomic(false)
    private let refusals = Atomic<Int>(0)
    private let state = Mutex(State())
    private let thread = Mutex<JoinableThread?>(nil)
    private let stopping = Atomic(false)

    private struct State {
        /// Per partition: the offset after the highest one this instance's producer had acknowledged.
        var produced: [Int32: Int64] = [:]
        /// Per partition: the monitor's position when it last owned it (0 until then: the topic's start).
        var lastPosition: [Int32: Int64] = [:]
        var lag: Int64 = 0
        var laggingPartition: Int32 = -1
        var episodes = 0
        var refusingSince: ContinuousClock.Instant?
    }

    init(bound: Int, coversUnownedPartitions: Bool, logger: Logger) {
        self.bound = Int64(max(1, bound))
        resumeAt = self.bound / 2
        self.coversUnownedPartitions = coversUnownedPartitions
        self.logger = logger
    }

    /// Whether a request may produce now. Counts a refusal when not.
    func admits() -> Bool {
        guard refusing.load(ordering: .relaxed) else { return true }
        refusals.add(1, ordering: .relaxed)
        return false
    }

    /// From a delivery report: `offset` of `partition` was acknowledged.
    func acknowledged(partition: Int32, offset: Int64) {
        state.withLock { state in
            if offset >= state.produced[partition, default: 0] { state.produced[partition] = offset + 1 }
        }
    }

    /// One sample: the monitor's positions on the partitions it owns now.
    func update(owned: [(partition: Int32, position: Int64, highWatermark: Int64)]) {
        let transition: (start: Bool, lag: Int64, partition: Int32, episodes: Int, lasted: Duration?)? =
            state.withLock { state in
                var worst: (lag: Int64, partition: Int32) = (0, -1)
                var seen = Set<Int32>()
                for item in owned where item.position >= 0 {
                    seen.insert(item.partition)
                    state.lastPosition[item.partition] = item.position
                    let end = max(item.highWatermark, state.produced[item.partition] ?? 0)
                    let lag = end - item.position
                    if lag > worst.lag { worst = (lag, item.partition) }
                }
                if coversUnownedPartitions {
                    for (partition, end) in state.produced where !seen.contains(partition) {
                        let lag = end - state.lastPosition[partition, default: 0]
                        if lag > worst.lag { worst = (lag, partition) }
                    }
                }
                state.lag = worst.lag
                state.laggingPartition = worst.partition
                let wasRefusing = refusing.load(ordering: .relaxed)
                if !wasRefusing, worst.lag > bound {
                    state.episodes += 1
                    state.refusingSince = .now
                    refusing.store(true, ordering: .relaxed)
                    return (true, worst.lag, worst.partition, state.episodes, nil)
                }
                if wasRefusing, worst.lag <= resumeAt {
                    refusing.store(false, ordering: .relaxed)
                    let lasted = state.refusingSince.map { ContinuousClock.now - $0 }
                    state.refusingSince = nil
                    return (false, worst.lag, worst.partition, state.episodes, lasted)
                }
                return nil
            }
        guard let transition else { return }
        if transition.start {
            logger.warning(
                "monitor behind: POST /transactions answers 503 until it catches up",
                metadata: [
                    "partition": "\(transition.partition)", "lag": "\(transition.lag)", "max_monitor_lag": "\(bound)",
                    "resume_at": "\(resumeAt)",
                ]
            )
        } else {
            logger.info(
                "monitor caught up: POST /transactions accepted again",
                metadata: [
                    "lag": "\(transition.lag)", "refused_for": "\(transition.lasted.map { "\($0)" } ?? "-")",
                    "refused_requests_total": "\(refusals.load(ordering: .relaxed))",
                ]
            )
        }
    }

    struct Snapshot: Sendable, Equatable {
        var refusing: Bool
        /// The largest lag at the last sample, and its partition (-1: none).
        var lag: Int64
        var partition: Int32
        var refusals: Int
        var episodes: Int
    }

    var snapshot: Snapshot {
        state.withLock { state in
            Snapshot(
                refusing: refusing.load(ordering: .relaxed),
                lag: state.lag,
                partition: state.laggingPartition,
                refusals: refusals.load(ordering: .relaxed),
                episodes: state.episodes
            )
        }
    }

    /// Samples `positions` every `samplePeriod` on a thread of its own until `stop()`.
    func start(
        samplePeriod: Duration = .milliseconds(20),
        positions: @escaping @Sendable () -> [(partition: Int32, position: Int64, highWatermark: Int64)]
    ) {
        thread.withLock { thread in
            guard thread == nil else { return }
            // pthread_create fails only when the process is out of threads or memory.
            thread = try! JoinableThread(name: "monitor-lag") { [self] in
                while !stopping.load(ordering: .relaxed) {
                    update(owned: positions())
                    let (seconds, attoseconds) = samplePeriod.components
                    Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
                }
            }
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        thread.withLock { thread in
            thread?.join()
            thread = nil
        }
    }
}
