import Foundation
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct CommandLineTests {
    @Test func help_documentsEveryOptionWithItsEnvironmentVariable() throws {
        let help = try runProcess(try GatewayProcess.binary(), ["serve", "--help"], timeout: .seconds(30)).stdout
        for option in [
            "--host", "--port", "--bootstrap-servers", "--topic", "--producers", "--max-body-bytes", "--consumers",
        ] {
            #expect(help.contains(option), "\(option) missing from --help")
        }
        for variable in ["GATEWAY_HOST", "GATEWAY_PORT", "KAFKA_BOOTSTRAP_SERVERS"] {
            #expect(help.contains(variable), "\(variable) missing from --help")
        }
    }
}
