import Logging

/// What `gateway kafka` (the embedded cluster alone) needs; initial values are the defaults.
package struct ClusterConfiguration: Sendable {
    package var brokers = 3
    package var partitions = 6
    package var topics = [
        "transactions", "transactions.alerts", "transactions.monitor-state", "transactions.alerts.dlq",
    ]
    package var logLevel = Logger.Level.info

    package init() {}
}

/// The settings of `gateway kafka`, each declared once (the variables are shared with `serve`).
package enum ClusterSettings {
    package typealias Entry = Setting<ClusterConfiguration>

    package static var table: SettingsTable<ClusterConfiguration> {
        SettingsTable([
            Entry(
                "brokers",
                "GATEWAY_EMBEDDED_BROKERS",
                "Brokers in the cluster.",
                .integer(1...16, "a whole number from 1 to 16"),
                \.brokers
            ),
            Entry(
                "partitions",
                "GATEWAY_EMBEDDED_PARTITIONS",
                "Partitions per topic.",
                .integer(1...1000, "a whole number from 1 to 1000"),
                \.partitions
            ),
            Entry("topics", "GATEWAY_EMBEDDED_TOPICS", "Topics to create, comma-separated.", .topicList, \.topics),
            Entry("log-level", "GATEWAY_LOG_LEVEL", "Log level.", .logLevel, \.logLevel),
        ])
    }
}

extension ValueForm where Value == [String] {
    package static var topicList: Self {
        Self(
            "comma-separated topic names",
            parse: { text in
                let names = text.split(separator: ",").map(String.init)
                return names.isEmpty || names.contains(where: \.isEmpty) ? nil : names
            },
            describe: { $0.joined(separator: ",") }
        )
    }
}
