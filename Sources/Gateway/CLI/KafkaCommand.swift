import ArgumentParser
import Foundation
import GatewayKit

/// `gateway kafka`: only the embedded cluster, so several gateways (and kcat) can share one.
struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Run only the embedded Kafka-protocol cluster and print its bootstrap servers."
    )

    static func help(_ name: String) -> ArgumentHelp {
        ArgumentHelp(ClusterSettings.table.help(name, defaults: ClusterConfiguration()))
    }

    @Option(help: help("brokers")) var brokers: String?
    @Option(help: help("partitions")) var partitions: String?
    @Option(help: help("topics")) var topics: String?
    @Option(help: help("log-level")) var logLevel: String?

    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClusterConfiguration {
        do {
            return try ClusterSettings.table.resolve(
                ClusterConfiguration(),
                flags: GivenFlags.of(self),
                environment: environment
            )
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws { _ = try resolved() }

    func run() async throws {
        let configuration = try resolved()
        let logger = GatewayLogging.bootstrap(level: configuration.logLevel)
        let cluster = try EmbeddedClusterLauncher.start(
            brokers: configuration.brokers,
            partitions: Int32(configuration.partitions),
            topics: configuration.topics,
            logger: logger
        )
        // Printed on stdout alone so scripts can capture it: `BOOTSTRAP=$(gateway kafka | head -1)`.
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        // The cluster's close only stops its own threads; 30 s bounds it like the gateway's default.
        _ = try await ServiceRunner.run(
            logger: logger,
            shutdownTimeout: .seconds(30),
            start: {},
            stop: {
                cluster.close()
                return true
            }
        )
    }
}
