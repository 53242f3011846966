import ArgumentParser
import Foundation
import GatewayKit
import Logging

/// `gateway serve`. Each option is a setting of `ServeSettings` (which names its environment
/// variable, default and form); here only the flag is declared, as text, named like the setting.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway (with an embedded 3-broker Kafka cluster when no --bootstrap-servers is given)."
    )

    static func help(_ name: String) -> ArgumentHelp {
        ArgumentHelp(ServeSettings.table.help(name, defaults: GatewayConfiguration()))
    }

    @Option(help: help("host")) var host: String?
    @Option(help: help("port")) var port: String?
    @Option(help: help("event-loops")) var eventLoops: String?
    @Option(help: help("max-body-bytes")) var maxBodyBytes: String?
    @Option(help: help("max-batch-items")) var maxBatchItems: String?
    @Option(help: help("max-connections")) var maxConnections: String?
    @Option(help: help("max-buffered-request-bytes")) var maxBufferedRequestBytes: String?
    @Option(help: help("max-event-streams")) var maxEventStreams: String?
    @Option(help: help("alert-stream-heartbeat-ms")) var alertStreamHeartbeatMs: String?
    @Option(help: help("max-pending-records")) var maxPendingRecords: String?
    @Option(help: help("response-timeout-ms")) var responseTimeoutMs: String?
    @Option(help: help("idempotency-ttl-seconds")) var idempotencyTtlSeconds: String?
    @Option(help: help("idempotency-capacity")) var idempotencyCapacity: String?
    @Option(help: help("idempotency-max-bytes")) var idempotencyMaxBytes: String?
    @Option(help: help("shutdown-timeout")) var shutdownTimeout: String?
    @Option(help: help("log-level")) var logLevel: String?
    @Option(help: help("api-keys-file")) var apiKeysFile: String?
    @Option(help: help("rate-limit-per-key")) var rateLimitPerKey: String?

    @Option(help: help("bootstrap-servers")) var bootstrapServers: String?
    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(ConfigurationReference.kafkaPropertyHelp, valueName: "key=value")
    )
    var kafkaProperty: [String] = []
    @Option(help: help("topic")) var topic: String?
    @Option(help: help("alerts-topic")) var alertsTopic: String?
    @Option(help: help("state-topic")) var stateTopic: String?
    @Option(help: help("embedded-brokers")) var embeddedBrokers: String?
    @Option(help: help("embedded-partitions")) var embeddedPartitions: String?
    @Option(help: help("producers")) var producers: String?
    @Option(help: help("delivery-timeout-ms")) var deliveryTimeoutMs: String?
    @Option(help: help("readiness-failures")) var readinessFailures: String?
    @Option(help: help("readiness-failure-window-ms")) var readinessFailureWindowMs: String?
    @Option(help: help("linger-ms")) var lingerMs: String?

    @OptionGroup(title: "Monitoring") var monitorOptions: MonitorOptions
    @OptionGroup(title: "Alert webhooks") var webhookOptions: WebhookOptions

    /// Flags first, then environment variables, then defaults; a bad value in either names itself.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GatewayConfiguration {
        let flags = GivenFlags.of(self).merging(GivenFlags.of(monitorOptions)) { $1 }
            .merging(GivenFlags.of(webhookOptions)) { $1 }
        do {
            return try ServeSettings.resolve(flags: flags, kafkaFlags: kafkaProperty, environment: environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws { _ = try resolved() }

    func run() async throws {
        let configuration = try resolved()
        let logger = GatewayLogging.bootstrap(level: configuration.logLevel)
        let service = GatewayService(configuration: configuration, logger: logger)
        let clean: Bool
        do {
            clean = try await ServiceRunner.run(
                logger: logger,
                shutdownTimeout: configuration.shutdownTimeout,
                start: service.start,
                stop: { service.stop().isClean },
                progress: { service.shutdownState }
            )
        } catch {
            logger.critical("gateway failed to start: \(error)")
            throw ExitCode.failure
        }
        // Work was abandoned to keep within the shutdown timeout (logged): say so to the supervisor.
        if !clean { throw ExitCode.failure }
    }
}
