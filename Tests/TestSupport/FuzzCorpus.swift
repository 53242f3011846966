import Foundation

/// A libFuzzer seed corpus kept in the repository (Fuzz/corpus/<target>/, run by scripts/fuzz.sh),
/// so that the ordinary test suites replay every seed with the fuzz target's properties.
public enum FuzzCorpus {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    /// The seeds of `target`, by file name, in name order (empty when the folder is missing).
    public static func seeds(_ target: String) -> [(name: String, bytes: [UInt8])] {
        let folder = root.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { (name, Array($0)) }
        }
    }

    /// "seed: what broke" for each seed of `target` that breaks a property; `violation` is the fuzz
    /// target's own check. Fails loudly when the corpus is missing or nearly empty.
    public static func violations(
        _ target: String,
        minimumSeeds: Int = 30,
        _ violation: ([UInt8]) -> String?
    ) -> [String] {
        let seeds = seeds(target)
        guard seeds.count >= minimumSeeds else { return ["only \(seeds.count) seeds in \(root.path)/\(target)"] }
        return seeds.compactMap { seed in violation(seed.bytes).map { "\(seed.name): \($0)" } }
    }
}
