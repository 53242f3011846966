import Logging
import Testing

@testable import GatewayKit

/// `--max-monitor-lag`: the gate closes when the monitor's largest per-partition lag passes the
/// bound, and opens again only at half of it; a partition's end is what the producer had
/// acknowledged when the consumer's cached watermark is older.
struct MonitorLagGateTests {
    static func gate(bound: Int = 100, coversUnowned: Bool = false) -> MonitorLagGate {
        MonitorLagGate(bound: bound, coversUnownedPartitions: coversUnowned, logger: Logger(label: "test"))
    }

    @Test func closesAboveTheBound_opensAtHalf_andCountsRefusals() {
        let gate = Self.gate()
        gate.acknowledged(partition: 0, offset: 149)  // the partition ends at 150
        // The consumer's cached watermark is stale (40): the acknowledged end counts.
        gate.update(owned: [(partition: 0, position: 40, highWatermark: 40)])
        #expect(!gate.admits())
        #expect(gate.snapshot == .init(refusing: true, lag: 110, partition: 0, refusals: 1, episodes: 1))
        gate.update(owned: [(partition: 0, position: 90, highWatermark: 150)])  // 60 behind: above half
        #expect(!gate.admits())
        gate.update(owned: [(partition: 0, position: 100, highWatermark: 150)])  // 50 behind: half
        #expect(gate.admits())
        #expect(gate.snapshot.refusals == 2 && gate.snapshot.episodes == 1)
    }

    @Test func largestPartitionLag_counts_notTheTotal() {
        let gate = Self.gate()
        // 6 partitions 60 behind each: 360 in all, but none past 100.
        let owned = (0..<6).map { (partition: Int32($0), position: Int64(0), highWatermark: Int64(60)) }
        gate.update(owned: owned)
        #expect(gate.admits())
        gate.update(owned: owned + [(partition: 6, position: 0, highWatermark: 101)])
        #expect(!gate.admits())
    }

    @Test func unownedPartitions_countOnlyWhenCovered() {
        // Records acknowledged on a partition no consumer here owns (the group is still joining).
        let alone = Self.gate(coversUnowned: true)
        alone.acknowledged(partition: 3, offset: 200)
        alone.update(owned: [])
        #expect(!alone.admits(), "a gateway on its in-process cluster counts them from offset 0")
        let shared = Self.gate(coversUnowned: false)
        shared.acknowledged(partition: 3, offset: 200)
        shared.update(owned: [])
        #expect(shared.admits(), "on a shared cluster another instance owns and bounds them")
    }
}
