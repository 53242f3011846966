import Foundation
import Testing

@testable import GatewayKit

/// README.md's configuration reference is the settings tables rendered (`ConfigurationReference`):
/// a flag, variable or default changed in the table and not in the README fails here.
/// To regenerate the README's section: `UPDATE_README=1 swift test --filter ConfigurationReferenceTests`.
@Suite struct ConfigurationReferenceTests {
    static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")
    static let begin =
        "<!-- configuration-reference: generated from the settings tables; UPDATE_README=1 swift test --filter ConfigurationReferenceTests -->\n"
    static let end = "<!-- configuration-reference end -->"

    @Test func readme_listsEveryFlagVariableAndDefault_asTheSettingsTablesDo() throws {
        var text = try String(contentsOf: Self.readme, encoding: .utf8)
        guard let start = text.range(of: Self.begin),
            let stop = text.range(of: Self.end, range: start.upperBound..<text.endIndex)
        else {
            Issue.record("README.md has no section between \(Self.begin) and \(Self.end)")
            return
        }
        let current = String(text[start.upperBound..<stop.lowerBound])
        let expected = ConfigurationReference.markdown
        if current != expected, ProcessInfo.processInfo.environment["UPDATE_README"] == "1" {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: expected)
            try text.write(to: Self.readme, atomically: true, encoding: .utf8)
            return
        }
        let currentLines = current.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference =
            zip(currentLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(currentLines.count, expectedLines.count)
        let same = current == expected  // a Bool, so a failure prints the first difference, not both texts
        #expect(
            same,
            """
            README.md's configuration reference differs from the settings tables at line \(firstDifference + 1) of the section:
              README: \(firstDifference < currentLines.count ? currentLines[firstDifference] : "(end)")
              tables: \(firstDifference < expectedLines.count ? expectedLines[firstDifference] : "(end)")
            Regenerate it with UPDATE_README=1 swift test --filter ConfigurationReferenceTests
            """
        )
    }

    /// The reference lists the table's groups by name: a group added to the table must be added there.
    @Test func reference_namesEverySettingOfBothCommands_withItsVariableAndDefault() {
        let reference = ConfigurationReference.markdown
        let serve = GatewayConfiguration()
        for setting in ServeSettings.table.settings {
            let value =
                ConfigurationReference.machineDefaults[setting.name] ?? setting.defaultValue(serve).map { "`\($0)`" }
                ?? "none"
            #expect(
                reference.contains("| `--\(setting.name)` | `\(setting.environment)` | \(value) |"),
                "\(setting.name)"
            )
        }
        for setting in ClusterSettings.table.settings {
            let value = setting.defaultValue(ClusterConfiguration()).map { "`\($0)`" } ?? "none"
            #expect(
                reference.contains("| `--\(setting.name)` | `\(setting.environment)` | \(value) |"),
                "\(setting.name)"
            )
        }
        #expect(reference.contains("| `-X key=value` | `KAFKA_<NAME>` |"))
    }
}
