import Foundation
import TestSupport
import Testing

/// README's production example (SASL over TLS through `KAFKA_*` variables) is one the gateway
/// accepts: librdkafka checks every property name and value when the clients are made, so a
/// misspelt property or an unsupported mechanism would stop start-up.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProductionExampleTests {
    @Test func readmeSASLExample_startsAGatewayThatSpeaksSASLSSL() async throws {
        let readme = try String(contentsOf: RepositoryChecks.root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let block = readme.firstMatch(of: /```yaml\n# docker-compose.override.yml\n((?:.|\n)*?)```/) else {
            Issue.record("README.md has no docker-compose.override.yml example")
            return
        }
        var environment: [String: String] = [:]
        for line in block.1.split(separator: "\n") {
            guard let variable = line.firstMatch(of: /^\s+(KAFKA_[A-Z_]+): (\S+)/) else { continue }
            // ${KAFKA_SASL_PASSWORD:?...} is compose's interpolation of a secret.
            environment[String(variable.1)] = variable.2.hasPrefix("${") ? "example-secret" : String(variable.2)
        }
        #expect(environment["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL")
        #expect(environment["KAFKA_SASL_MECHANISM"] != nil)
        // No broker: a closed loopback port. The clients are made (properties checked), then fail to connect.
        environment["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:1"
        // Monitoring off: with it on, start-up first reads the state topic's metadata and stops
        // when no broker answers, before the producer's clients could be seen connecting.
        environment["GATEWAY_CONSUMERS"] = "0"

        let gateway = try GatewayProcess.start(environment: environment)
        defer { gateway.stop() }
        _ = try gateway.waitForLine(containing: "sasl_ssl://127.0.0.1:1", timeout: .seconds(10))
        let ready = try await HTTPClient.send("GET", gateway.baseURL + "/readyz")
        #expect(ready.status == 503, "\(ready.text)")
    }
}
