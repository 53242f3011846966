import Foundation
import TestSupport
import Testing

/// openapi.yaml is the contract: schemathesis (PyPI) generates requests from it, valid and invalid,
/// against a live gateway with its embedded cluster, and checks every answer, each event of the
/// `GET /events` stream included.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ContractTests {
    /// Test cases per operation and phase; about 400 cases in all, some 15 s here.
    static let examplesPerOperation = 25

    @Test func schemathesis_findsNoServerErrorAndNoAnswerOutsideTheSchema() throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent(
            "schemathesis-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }

        let result = try runProcess(
            "/usr/bin/env",
            [
                "schemathesis", "--no-color",
                // How many events of GET /events (a stream that never ends) to read and validate.
                "--config-file", RepositoryChecks.root.appendingPathComponent("schemathesis.toml").path,
                "run", RepositoryChecks.root.appendingPathComponent("openapi.yaml").path,
                "--url", gateway.baseURL,
                "--max-examples", String(Self.examplesPerOperation),
                // Every answer: no 5xx, a documented status, content type, headers and body. Not
                // negative_data_rejection / positive_data_acceptance: by design a batch with bad
                // items is a 200 with per-item problems, a malformed X-Request-Id is replaced rather
                // than refused, and a well-formed but unknown currency or cursor is a 422/400 the
                // schema cannot express.
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance",
                "--request-timeout", "20",
                // POST /cluster/... stops brokers and moves leaders of the cluster under test; the
                // cluster view's own tests cover their answers.
                "--exclude-path-regex", "^/cluster/",
            ],
            // Its example database (.hypothesis) and reports land in the workspace, not the repository.
            currentDirectory: workspace,
            mergeErrorIntoOutput: true,
            timeout: .seconds(150)
        )
        let summary = result.stdout.firstMatch(of: /(\d+) generated, (\d+) passed/)
        #expect(
            result.status == 0 && !result.timedOut,
            "schemathesis reported failures:\n\(result.stdout.suffix(6000))"
        )
        #expect(summary != nil && summary?.1 == summary?.2, "no clean summary line:\n\(result.stdout.suffix(3000))")
        // Every operation of the contract was exercised, with a fair number of cases.
        #expect((summary.flatMap { Int($0.1) } ?? 0) >= 200, "\(result.stdout.suffix(3000))")
        let selected = result.stdout.firstMatch(of: /Selected: (\d+)\//).flatMap { Int($0.1) }
        let tested = result.stdout.firstMatch(of: /Tested: (\d+)/).flatMap { Int($0.1) }
        #expect(selected != nil && selected == tested && (tested ?? 0) >= 8, "\(result.stdout.suffix(3000))")
        #expect(!gateway.log.contains("critical"), "\(gateway.log.suffix(3000))")
    }
}
