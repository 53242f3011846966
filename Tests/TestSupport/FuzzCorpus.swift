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
}
