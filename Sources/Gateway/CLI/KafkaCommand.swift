import ArgumentParser
import Foundation
import KafkaBridge
import Logging

/// `gateway kafka`: only the embedded cluster, so several gateways (and kcat) can share one.
struct KafkaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Run only the embedded Kafka-protocol cluster and print its bootstrap servers."
    )

    @Option(help: "Brokers in the cluster (GATEWAY_EMBEDDED_BROKERS).")
    var brokers: Int = Environment.int("GATEWAY_EMBEDDED_BROKERS", 3)

    @Option(help: "Partitions per topic (GATEWAY_EMBEDDED_PARTITIONS).")
    var partitions: Int = Environment.int("GATEWAY_EMBEDDED_PARTITIONS", 6)

    @Option(help: "Topics to create, comma-separated.")
    var topics: String = "transactions,transactions.alerts"

    @Option(help: "Log level (GATEWAY_LOG_LEVEL).")
    var logLevel: String = Environment.string("GATEWAY_LOG_LEVEL", "info")

    func run() throws {
        let logger = GatewayLogging.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        let cluster = try EmbeddedCluster.start(
            brokers: brokers, partitions: Int32(partitions),
            topics: topics.split(separator: ",").map(String.init), logger: logger)
        // Printed on stdout alone so scripts can capture it: `BOOTSTRAP=$(gateway kafka | head -1)`.
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        ShutdownSignal.wait()
        cluster.close()
    }
}
