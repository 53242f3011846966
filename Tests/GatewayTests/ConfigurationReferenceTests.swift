import Foundation
import Testing

@testable import GatewayKit

/// docs/configuration.md is the settings tables rendered (`ConfigurationReference`): a flag, variable
/// or default changed in the table and not in the reference fails here.
/// To regenerate it: `UPDATE_REFERENCE=1 swift test --filter ConfigurationReferenceTests`.
@Suite struct ConfigurationReferenceTests {
    static let document = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/configuration.md")
    static let begin =
        "<!-- configuration-reference: generated from the settings tables; UPDATE_REFERENCE=1 swift test --filter ConfigurationReferenceTests -->\n"
    static let end = "<!-- configuration-reference end -->"

    @Test func reference_listsEveryFlagVariableAndDefault_asTheSettingsTablesDo() throws {
        var text = try String(contentsOf: Self.document, encoding: .utf8)
        guard let start = text.range(of: Self.begin),
            let stop = text.range(of: Self.end, range: start.upperBound..<text.endIndex)
        else {
            Issue.record("docs/configuration.md has no section between \(Self.begin) and \(Self.end)")
            return
        }
        let current = String(text[start.upperBound..<stop.lowerBound])
        let expected = ConfigurationReference.markdown
        if current != expected, ProcessInfo.processInfo.environment["UPDATE_REFERENCE"] == "1" {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: expected)
            try text.write(to: Self.document, atomically: true, encoding: .utf8)
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
            docs/configuration.md differs from the settings tables at line \(firstDifference + 1) of the section:
              document: \(firstDifference < currentLines.count ? currentLines[firstDifference] : "(end)")
              tables: \(firstDifference < expectedLines.count ? expectedLines[firstDifference] : "(end)")
            Regenerate it with UPDATE_REFERENCE=1 swift test --filter ConfigurationReferenceTests
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
