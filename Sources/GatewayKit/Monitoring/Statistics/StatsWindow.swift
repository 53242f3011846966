import Histogram

/// One sliding window over event time: a ring of time buckets.
///
/// A record costs O(1): it lands in the bucket of its event time (slot = bucket number modulo
/// the ring size). Eviction is by whole buckets and lazy: a slot still holding an older bucket
/// number is reset when a newer bucket claims it, and reads ignore buckets that have slid out.
/// The window read at time `end` is the buckets numbered (bucket(end) - count, bucket(end)], so
/// it spans between `length - bucketWidth` and `length` of event time.
struct StatsWindow: Sendable {
    let label: String
    let lengthMilliseconds: Int64
    let bucketWidthMilliseconds: Int64
    var buckets: [Bucket]
    /// The highest bucket number recorded so far.
    var newestBucket: Int64 = .min
    /// The lowest bucket number recorded since the last `drainChangedBuckets` (`.max`: none):
    /// every live bucket at or above it changed, which is what a flush writes.
    var lowestChanged: Int64 = .max

    struct Bucket: Sendable {
        var number: Int64
        var aggregate: StatsAggregate<UInt32>
    }

    /// - Parameter bucketCount: the wished number of buckets; the largest divisor of the
    ///   length (in ms) not above it is used, so that the buckets tile the window exactly.
    init(lengthMilliseconds: Int64, bucketCount: Int, precision: SignificantDigits) {
        precondition(lengthMilliseconds > 0 && bucketCount > 0, "window length and bucket count must be positive")
        let count = Self.largestDivisor(of: lengthMilliseconds, atMost: Int64(bucketCount))
        label = MonitorClock.label(milliseconds: lengthMilliseconds)
        self.lengthMilliseconds = lengthMilliseconds
        bucketWidthMilliseconds = lengthMilliseconds / count
        let empty = Bucket(number: .min, aggregate: StatsAggregate(precision: precision))
        buckets = Array(repeating: empty, count: Int(count))
    }

    var bucketCount: Int { buckets.count }

    /// Adds a sample at event time `ms`. Returns false (and changes nothing) when that time has
    /// already slid out of the ring, which happens only if the allowed lateness exceeds the window.
    @discardableResult
    mutating func add(_ sample: StatsSample, atMilliseconds ms: Int64) -> Bool {
        let number = MonitorClock.floorDivide(ms, bucketWidthMilliseconds)
        guard newestBucket == .min || number > newestBucket - Int64(buckets.count) else { return false }
        let slot = Int(number.modulo(Int64(buckets.count)))
        if buckets[slot].number != number {
            // The slot's old bucket is at least a full ring older: it has left the window.
            buckets[slot].number = number
            buckets[slot].aggregate = StatsAggregate(precision: buckets[slot].aggregate.precision)
        }
        buckets[slot].aggregate.add(sample)
        newestBucket = max(newestBucket, number)
        lowestChanged = min(lowestChanged, number)
        return true
    }

    /// The buckets changed since the last call, with their ring slots.
    mutating func drainChangedBuckets() -> [(slot: Int, bucket: Bucket)] {
        defer { lowestChanged = .max }
        guard lowestChanged != .max else { return [] }
        return buckets.enumerated().compactMap { slot, bucket in
            bucket.number != .min && bucket.number >= lowestChanged ? (slot, bucket) : nil
        }
    }

    /// Merges the buckets inside the window that ends at event time `end`.
    func aggregate(endingAtMilliseconds end: Int64) -> StatsAggregate<UInt32> {
        let last = MonitorClock.floorDivide(end, bucketWidthMilliseconds)
        let first = last - Int64(buckets.count) + 1
        var result = StatsAggregate<UInt32>(precision: buckets[0].aggregate.precision)
        for bucket in buckets where bucket.number >= first && bucket.number <= last {
            result.merge(bucket.aggregate)
        }
        return result
    }

    private static func largestDivisor(of value: Int64, atMost limit: Int64) -> Int64 {
        var candidate = min(limit, value)
        while value % candidate != 0 { candidate -= 1 }
        return candidate
    }
}

extension Int64 {
    /// Non-negative remainder, for ring slots of negative bucket numbers.
    func modulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
