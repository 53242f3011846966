import ArgumentParser
import Testing

@testable import Gateway
@testable import GatewayKit

/// The command line and the settings table are one surface: every flag has a setting (variable,
/// default, form), every setting a flag, and a variable is checked exactly like its flag.
@Suite struct ConfigurationSurfaceTests {
    @Test func everyServeFlag_isASetting_andEverySettingAFlag() throws {
        let command = try ServeCommand.parse([])
        let declared = Set(
            GivenFlags.declared(by: command) + GivenFlags.declared(by: command.monitorOptions)
                + GivenFlags.declared(by: command.webhookOptions)
        )
        #expect(declared == Set(ServeSettings.table.settings.map(\.name)))
        let kafka = try KafkaCommand.parse([])
        #expect(Set(GivenFlags.declared(by: kafka)) == Set(ClusterSettings.table.settings.map(\.name)))
    }

    @Test func everySetting_hasItsOwnEnvironmentVariable_namedInItsHelp() {
        let settings = ServeSettings.table.settings
        #expect(Set(settings.map(\.environment)).count == settings.count)
        for setting in settings {
            #expect(setting.environment.hasPrefix("GATEWAY_") || setting.environment.hasPrefix("KAFKA_"))
            #expect(setting.help(defaults: GatewayConfiguration()).contains(setting.environment))
        }
    }

    @Test func badEnvironmentValue_stopsStartUp_namingTheVariable() throws {
        let command = try ServeCommand.parse([])
        #expect(throws: ValidationError.self) { try command.resolved(environment: ["GATEWAY_PORT": "80x"]) }
        do {
            _ = try command.resolved(environment: ["GATEWAY_PORT": "80x"])
        } catch {
            #expect("\(error)" == "GATEWAY_PORT=80x: expected a whole number from 0 to 65535")
        }
    }

    @Test func flagWinsOverVariable_variableOverDefault() throws {
        let environment = ["GATEWAY_PORT": "9000", "GATEWAY_PRODUCERS": "4", "GATEWAY_VELOCITY_COUNT": "7"]
        let configuration = try ServeCommand.parse(["--port", "9100"]).resolved(environment: environment)
        #expect(configuration.port == 9100)
        #expect(configuration.producers == 4)
        #expect(configuration.monitor.configuration.rules.velocity.count == 7)
        #expect(configuration.maxBatchItems == GatewayConfiguration().maxBatchItems)
    }

    @Test func ruleVariables_haveTheSameChecksAsTheirFlags() throws {
        let command = try ServeCommand.parse([])
        for (name, value) in [
            ("GATEWAY_VELOCITY_COUNT", "1"), ("GATEWAY_HIGH_AMOUNT_THRESHOLD", "-5"),
            ("GATEWAY_DISABLE_RULES", "velocity,nope"), ("GATEWAY_LINGER_MS", "fast"),
            ("GATEWAY_WINDOWS_SECONDS", "60,,900"), ("GATEWAY_LOG_LEVEL", "loud"),
        ] {
            #expect(throws: ValidationError.self, "\(name)=\(value)") {
                try command.resolved(environment: [name: value])
            }
        }
        // The same check on the flag, which ArgumentParser reports through its validate() step.
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--velocity-count", "1"]) }
    }

    @Test func disableRules_andKafkaPassThrough_apply() throws {
        let configuration = try ServeCommand.parse(["--disable-rules", "velocity,country_hop", "-X", "linger.ms=5"])
            .resolved(environment: ["KAFKA_COMPRESSION_TYPE": "lz4", "KAFKA_LINGER_MS": "9"])
        #expect(!configuration.monitor.configuration.rules.velocity.enabled)
        #expect(!configuration.monitor.configuration.rules.countryHop.enabled)
        #expect(configuration.monitor.configuration.rules.highAmount.enabled)
        #expect(configuration.kafkaProperties == ["compression.type": "lz4", "linger.ms": "5"])
    }

    @Test func lingerTakesFractionsOfAMillisecond() throws {
        let configuration = try ServeCommand.parse(["--linger-ms", "0.25"]).resolved(environment: [:])
        #expect(configuration.linger == .microseconds(250))
    }

    @Test func kafkaCommand_readsItsVariables() throws {
        let configuration = try KafkaCommand.parse([]).resolved(environment: [
            "GATEWAY_EMBEDDED_BROKERS": "2", "GATEWAY_EMBEDDED_TOPICS": "a,b",
        ])
        #expect(configuration.brokers == 2)
        #expect(configuration.topics == ["a", "b"])
        #expect(throws: ValidationError.self) {
            try KafkaCommand.parse([]).resolved(environment: ["GATEWAY_EMBEDDED_BROKERS": "0"])
        }
    }
}

@Suite struct APIKeySettingsTests {
    @Test func rateLimitWithoutKeys_stopsStartUp() throws {
        #expect(throws: ValidationError.self) {
            try ServeCommand.parse([]).resolved(environment: ["GATEWAY_RATE_LIMIT_PER_KEY": "5"])
        }
    }

    @Test func unreadableKeysFile_namesTheVariable() throws {
        do {
            _ = try ServeCommand.parse([]).resolved(environment: ["GATEWAY_API_KEYS_FILE": "/nonexistent/keys"])
            Issue.record("accepted a missing keys file")
        } catch {
            #expect("\(error)".hasPrefix("GATEWAY_API_KEYS_FILE=/nonexistent/keys: expected a readable keys file"))
        }
    }
}
