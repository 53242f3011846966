import Foundation
import Testing

@Suite(.timeLimit(.minutes(1)))
struct CommandLineTests {
    @Test func help_documentsEveryOptionWithItsEnvironmentVariable() throws {
        let process = Process()
        process.executableURL = try GatewayProcess.binary()
        process.arguments = ["serve", "--help"]
        let output = ProcessOutput()
        process.standardOutput = output.pipe
        try process.run()
        process.waitUntilExit()
        output.drain()
        let help = output.text
        for option in ["--host", "--port", "--bootstrap-servers", "--topic", "--producers", "--max-body-bytes", "--consumers"] {
            #expect(help.contains(option), "\(option) missing from --help")
        }
        for variable in ["GATEWAY_HOST", "GATEWAY_PORT", "KAFKA_BOOTSTRAP_SERVERS"] {
            #expect(help.contains(variable), "\(variable) missing from --help")
        }
    }
}
