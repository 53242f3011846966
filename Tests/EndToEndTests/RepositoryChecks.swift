import Foundation
import TestSupport
import Testing

/// Checks of the files that describe the product (no Docker engine here, so the compose file is
/// checked for structure and cross-references; the Prometheus file with promtool; the OpenAPI
/// document with a real validator).
@Suite(.timeLimit(.minutes(1)))
struct RepositoryChecks {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try runProcess(
            "/usr/bin/env",
            ["python3"] + arguments,
            currentDirectory: root,
            mergeErrorIntoOutput: true,
            timeout: .seconds(50)
        )
        return (result.status, result.stdout)
    }

    /// `gateway serve --help`, read once: the checks below share it.
    static let serveHelp = Result {
        try runProcess(GatewayProcess.binary(), ["serve", "--help"], timeout: .seconds(30)).stdout
    }

    /// scripts/check-compose.py on `compose` (a path), with the topics read from `gateway serve --help`.
    static func checkCompose(_ compose: String, root repository: URL = root) throws -> (status: Int32, output: String) {
        let result = try runProcess(
            "/usr/bin/env",
            ["python3", "scripts/check-compose.py", "--gateway-help", "-", "--root", repository.path, compose],
            input: try serveHelp.get(),
            currentDirectory: root,
            mergeErrorIntoOutput: true,
            timeout: .seconds(50)
        )
        return (result.status, result.stdout)
    }

    @Test func dockerCompose_hasTheProductionShape() throws {
        let result = try Self.checkCompose("docker-compose.yml")
        #expect(result.status == 0, "\(result.output)")
    }

    /// The checker can fail: each known fault, put into a copy of the compose file, is named.
    @Test(arguments: [
        ComposeFault(
            "a misspelt key (the Compose Specification's schema)",
            "stop_grace_period: 25s",
            "stop_grace_perod: 25s",
            expect: "schema: services.gateway1: 'stop_grace_perod' does not match"
        ),
        ComposeFault(
            "ZooKeeper checked with ruok",
            #"["CMD", "cub", "zk-ready", "localhost:2181", "10"]"#,
            #"["CMD-SHELL", "echo ruok | nc -w 2 localhost 2181 | grep imok"]"#,
            expect: "four-letter word 'ruok'"
        ),
        ComposeFault(
            "a broker without an external listener",
            "INTERNAL://kafka2:9092,EXTERNAL://localhost:29092",
            "INTERNAL://kafka2:9092",
            expect: "kafka2: advertises no external listener"
        ),
        ComposeFault(
            "an image on latest",
            "prom/prometheus:v2.53.2",
            "prom/prometheus:latest",
            expect: "prometheus: image 'prom/prometheus:latest' not pinned"
        ),
        ComposeFault(
            "a topic the gateways use not created",
            "$$create --topic transactions.alerts\n",
            "",
            expect: "uses topic 'transactions.alerts'"
        ),
        ComposeFault(
            "the changelog topic not compacted",
            " --config cleanup.policy=compact",
            "",
            expect: "transactions.monitor-state is not compacted"
        ),
        ComposeFault(
            "one host port twice",
            #""8081:8080""#,
            #""8080:8080""#,
            expect: "host port 8080 published by both"
        ),
        ComposeFault(
            "depends_on naming no service",
            "prometheus: { condition: service_healthy }",
            "prometheus-server: { condition: service_healthy }",
            expect: "depends_on names 'prometheus-server'"
        ),
        ComposeFault(
            "a health check missing",
            "      test: [\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://127.0.0.1:3000/api/health\"]\n      interval: 10s\n      timeout: 5s\n      retries: 6\n",
            "      disable: true\n",
            expect: "grafana: no healthcheck"
        ),
        ComposeFault(
            "a shutdown timeout longer than the stop grace period",
            "GATEWAY_SHUTDOWN_TIMEOUT_SECONDS: 20",
            "GATEWAY_SHUTDOWN_TIMEOUT_SECONDS: 60",
            expect: "does not outlast its shutdown timeout"
        ),
        ComposeFault(
            "the gateways in two consumer groups",
            "hostname: gateway2\n    ports:\n      - \"8081:8080\"\n    environment:\n      <<: *gateway-env\n",
            "hostname: gateway2\n    ports:\n      - \"8081:8080\"\n    environment:\n      <<: *gateway-env\n      GATEWAY_GROUP_ID: other\n",
            expect: "different consumer groups"
        ),
    ])
    func dockerCompose_checkNamesEachFault(_ fault: ComposeFault) throws {
        let original = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        #expect(
            original.contains(fault.find),
            "the compose file no longer contains what this fault replaces: \(fault.find)"
        )
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml")
        try original.replacingOccurrences(of: fault.find, with: fault.replacement).write(
            to: broken,
            atomically: true,
            encoding: .utf8
        )
        defer { try? FileManager.default.removeItem(at: broken) }
        let result = try Self.checkCompose(broken.path)
        #expect(result.status != 0)
        #expect(result.output.contains(fault.expect), "\(result.output)")
    }

    @Test func dockerCompose_checkNamesAGatewayPrometheusDoesNotScrape() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let prometheus = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/prometheus/prometheus.yml"),
            encoding: .utf8
        )
        #expect(prometheus.contains(#"["gateway1:8080", "gateway2:8080"]"#))
        try prometheus.replacingOccurrences(
            of: #"["gateway1:8080", "gateway2:8080"]"#,
            with: #"["gateway1:8080", "gateway2:9090"]"#
        )
        .write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let compose = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
            .replacingOccurrences(
                of: "./deploy/prometheus/prometheus.yml:",
                with: directory.appendingPathComponent("prometheus.yml").path + ":"
            )
        try compose.write(to: directory.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        let result = try Self.checkCompose(directory.appendingPathComponent("docker-compose.yml").path)
        #expect(result.status != 0)
        #expect(result.output.contains("prometheus: does not scrape ['gateway2:8080']"), "\(result.output)")
        #expect(
            result.output.contains("prometheus: target gateway2:9090 is not the gateway's port"),
            "\(result.output)"
        )
    }

    /// The Dockerfile is read against Package.swift: a target folder not copied (SwiftPM refuses
    /// the package) and a runtime library missing are named.
    @Test func dockerfile_checkNamesAFolderNotCopiedAndALibraryMissing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["docker-compose.yml", "Package.swift"] {
            try FileManager.default.copyItem(
                at: Self.root.appendingPathComponent(name),
                to: directory.appendingPathComponent(name)
            )
        }
        try FileManager.default.createSymbolicLink(
            at: directory.appendingPathComponent("deploy"),
            withDestinationURL: Self.root.appendingPathComponent("deploy")
        )
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(
            dockerfile.contains("COPY Benchmarks ./Benchmarks\n") && dockerfile.contains(" libssl3 ca-certificates")
        )
        try dockerfile.replacingOccurrences(of: "COPY Benchmarks ./Benchmarks\n", with: "").replacingOccurrences(
            of: " libssl3 ca-certificates",
            with: " ca-certificates"
        )
        .write(to: directory.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let result = try Self.checkCompose(directory.appendingPathComponent("docker-compose.yml").path, root: directory)
        #expect(result.status != 0)
        #expect(result.output.contains("Dockerfile: does not copy ['Benchmarks']"), "\(result.output)")
        #expect(result.output.contains("Dockerfile: runtime stage lacks libssl3"), "\(result.output)")
    }

    @Test func prometheusConfig_passesPromtool() throws {
        let result = try runProcess(
            "/usr/bin/env",
            ["promtool", "check", "config", "deploy/prometheus/prometheus.yml"],
            currentDirectory: Self.root,
            mergeErrorIntoOutput: true,
            timeout: .seconds(30)
        )
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("SUCCESS"), "\(result.stdout)")
    }

    /// promtool really judges the file: the same file with a bad interval is refused.
    @Test func promtool_refusesABrokenPrometheusConfig() throws {
        let original = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/prometheus/prometheus.yml"),
            encoding: .utf8
        )
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent(
            "prometheus-\(UUID().uuidString).yml"
        )
        try original.replacingOccurrences(of: "scrape_interval: 10s", with: "scrape_interval: 10 seconds")
            .write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        let result = try runProcess(
            "/usr/bin/env",
            ["promtool", "check", "config", broken.path],
            mergeErrorIntoOutput: true,
            timeout: .seconds(30)
        )
        #expect(result.status != 0, "\(result.stdout)")
    }

    @Test func openAPI_isAValidOpenAPI31Document() throws {
        let script = """
            import yaml
            from openapi_spec_validator import validate
            spec = yaml.safe_load(open('openapi.yaml'))
            assert spec['openapi'].startswith('3.1'), spec['openapi']
            validate(spec)
            print('ok')
            """
        let result = try Self.python(["-c", script])
        #expect(result.status == 0, "\(result.output)")
    }
}

/// A fault put into docker-compose.yml (`find` replaced by `replacement`) and the checker's words for it.
struct ComposeFault: Sendable, CustomTestStringConvertible {
    let name: String
    let find: String
    let replacement: String
    let expect: String

    init(_ name: String, _ find: String, _ replacement: String, expect: String) {
        self.name = name
        self.find = find
        self.replacement = replacement
        self.expect = expect
    }

    var testDescription: String { name }
}
