/// Draws an index with probability proportional to its weight (cumulative sums + binary search).
struct WeightedIndex: Sendable {
    private let cumulative: [Double]

    init(weights: [Double]) {
        precondition(!weights.isEmpty, "need at least one weight")
        var sum = 0.0
        cumulative = weights.map { weight in
            precondition(weight >= 0, "weights must not be negative")
            sum += weight
            return sum
        }
        precondition(sum > 0, "weights must not all be zero")
    }

    func draw(using rng: inout SeededGenerator) -> Int {
        let target = rng.uniform() * cumulative[cumulative.count - 1]
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
