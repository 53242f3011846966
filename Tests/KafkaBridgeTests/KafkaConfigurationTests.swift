import Testing

@testable import KafkaBridge

@Suite struct KafkaConfigurationTests {
    @Test func parseProperties_splitsAtFirstEquals() throws {
        let properties = try KafkaConfiguration.parseProperties([
            "linger.ms=5", " acks =all", "sasl.jaas.config=a=b;c=d", "client.id=",
        ])
        #expect(properties == ["linger.ms": "5", "acks": "all", "sasl.jaas.config": "a=b;c=d", "client.id": ""])
    }

    @Test func parseProperties_rejectsMissingEqualsOrName() {
        #expect(throws: KafkaConfigurationError.self) { try KafkaConfiguration.parseProperties(["linger.ms"]) }
        #expect(throws: KafkaConfigurationError.self) { try KafkaConfiguration.parseProperties(["=5"]) }
    }

    @Test func environment_mapsKafkaVariablesToProperties() {
        let env = [
            "KAFKA_LINGER_MS": "5", "KAFKA_BOOTSTRAP_SERVERS": "b:9092", "KAFKA_SECURITY_PROTOCOL": "ssl",
            "GATEWAY_PORT": "8080", "PATH": "/bin", "KAFKA_": "x",
        ]
        let properties = KafkaConfiguration.properties(fromEnvironment: env, excluding: ["KAFKA_BOOTSTRAP_SERVERS"])
        #expect(properties == ["linger.ms": "5", "security.protocol": "ssl"])
    }

    @Test func kafkaError_keepsLibrdkafkaNamesAndClassifies() {
        let queueFull = KafkaError(code: -184)
        #expect(queueFull.name == "_QUEUE_FULL")
        #expect(queueFull.isQueueFull && queueFull.isRetriable && !queueFull.isTimedOut)
        let timedOut = KafkaError(code: -192)
        #expect(timedOut.name == "_MSG_TIMED_OUT")
        #expect(timedOut.isTimedOut)
        let notLeader = KafkaError(code: 6)
        #expect(notLeader.name == "NOT_LEADER_FOR_PARTITION")
        #expect(notLeader.isRetriable)
        let invalid = KafkaError(code: 87, message: "bad")
        #expect(invalid.name == "INVALID_RECORD" && invalid.message == "bad" && !invalid.isRetriable)
        #expect("\(invalid)" == "INVALID_RECORD: bad")
    }

    @Test func durations_mapToLibrdkafkaMilliseconds() {
        #expect(Duration.milliseconds(1500).clampedMilliseconds == 1500)
        #expect(Duration.seconds(-1).clampedMilliseconds == 0)
        #expect(Duration.seconds(Int64.max).clampedMilliseconds == Int32.max)
        #expect(Duration.milliseconds(2).millisecondsPropertyValue == "2")
        #expect(Duration.microseconds(2500).millisecondsPropertyValue == "2.5")
    }
}
