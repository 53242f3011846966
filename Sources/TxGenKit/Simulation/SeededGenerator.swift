import CoreSupport
import Foundation

/// A small, fast, seedable PRNG (xoshiro256**, seeded through SplitMix64).
///
/// The stream of a seeded run must be identical on every machine and Swift version, so the
/// helpers below (`uniform`, `below`, `normal`) are written here instead of relying on the
/// standard library's `random(in:using:)`, whose algorithm is not promised to stay the same.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
        // xoshiro's state must not be all zeros; SplitMix64 cannot give four zeros, but be explicit.
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// An independent generator for a sub-stream (e.g. the population vs. the transaction mix),
    /// so that changing how many numbers one part draws does not shift the other.
    func derived(_ salt: UInt64) -> SeededGenerator {
        var copy = self
        return SeededGenerator(seed: copy.next() ^ (salt &* 0xD1B5_4A32_D192_ED03))
    }

    mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [lower, upper).
    mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * uniform()
    }

    /// Uniform integer in 0..<bound (Lemire's multiply-shift with rejection, unbiased).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Uniform integer in the closed range.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Standard normal deviate (Box-Muller; one value per call keeps the stream simple).
    mutating func normal() -> Double {
        var u1 = uniform()
        if u1 < Double.leastNormalMagnitude { u1 = Double.leastNormalMagnitude }
        let u2 = uniform()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    /// Log-normal with the given median (e^mu) and shape sigma.
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// True with probability p.
    mutating func chance(_ p: Double) -> Bool { uniform() < p }

    /// One of `choices`, with probability proportional to its weight: one uniform draw walked down
    /// the list (for short lists drawn once each, where `WeightedIndex`'s table would not pay off).
    mutating func pick<Choice>(from choices: [(Choice, Double)]) -> Choice {
        let total = choices.reduce(0) { $0 + $1.1 }
        var remaining = uniform() * total
        for (choice, weight) in choices {
            remaining -= weight
            if remaining < 0 { return choice }
        }
        return choices[choices.count - 1].0
    }

    /// Fisher-Yates shuffle with this generator's own `below`.
    mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, below(i + 1))
        }
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
