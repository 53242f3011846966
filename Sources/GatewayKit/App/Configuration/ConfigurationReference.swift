import Foundation

/// README's configuration reference, rendered from the settings tables (the flags, variables and
/// defaults live there and only there); a test holds README.md equal to this text.
package enum ConfigurationReference {
    /// Defaults that depend on the machine, in words (the tables' own value is this machine's).
    static let machineDefaults = [
        "event-loops": "one per CPU core",
        "max-monitor-lag":
            "`\(GatewayConfiguration.MonitorSettings.embeddedMaxLag)` on the embedded cluster, else none",
    ]

    /// The pass-through of librdkafka properties, which is not a setting of the table (any
    /// property, by name): `-X key=value` and `KAFKA_<NAME>`.
    package static let kafkaPropertyHelp =
        "Extra librdkafka property key=value, repeatable; KAFKA_<NAME> variables do the same (KAFKA_LINGER_MS=5 is linger.ms=5)."

    /// Markdown: one table per command, grouped as `--help` groups them.
    package static var markdown: String {
        let serve = GatewayConfiguration()
        var text = "#### `gateway serve`\n\n"
        text += table(
            [
                ("HTTP server", ServeSettings.server), ("Kafka", ServeSettings.kafka),
                ("Monitoring", ServeSettings.monitor),
                ("Alert rules (the file first, then the flags over it)", ServeSettings.rules),
                ("Alert webhooks", ServeSettings.webhooks),
            ],
            defaults: serve,
            extraKafkaRow: true
        )
        text += "\n#### `gateway kafka` (the embedded cluster alone)\n\n"
        text += table(
            [("Cluster", ClusterSettings.table.settings)],
            defaults: ClusterConfiguration(),
            extraKafkaRow: false
        )
        return text
    }

    private static func table<Configuration>(
        _ groups: [(String, [Setting<Configuration>])],
        defaults: Configuration,
        extraKafkaRow: Bool
    ) -> String {
        var text = "| Flag | Environment variable | Default | What it sets |\n|---|---|---|---|\n"
        for (title, settings) in groups {
            text += "| **\(title)** | | | |\n"
            for setting in settings {
                let value = machineDefaults[setting.name] ?? setting.defaultValue(defaults).map { "`\($0)`" } ?? "none"
                text += "| `--\(setting.name)` | `\(setting.environment)` | \(value) | \(escaped(setting.summary)) |\n"
            }
            if extraKafkaRow && title == "Kafka" {
                text += "| `-X key=value` | `KAFKA_<NAME>` | none | \(escaped(kafkaPropertyHelp)) |\n"
            }
        }
        return text
    }

    /// A `|` would end the table cell; `<NAME>` would be read as an HTML tag.
    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;")
    }
}
