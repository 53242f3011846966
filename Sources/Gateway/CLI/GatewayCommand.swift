import ArgumentParser
import Foundation

/// `gateway`: the transaction gateway. Without a subcommand it serves.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "HTTP gateway that validates financial transactions and produces them to Kafka.",
        subcommands: [ServeCommand.self, KafkaCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
