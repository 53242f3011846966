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

    @Test func schemathesis_findsNoServerErrorAndNoAnswerOutsideTheSchema() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent(
            "schemathesis-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        // The streams never end by themselves: schemathesis.toml (repository root) bounds how much of
        // each it reads and validates, event by event (ST108). An alert held makes a resumed
        // GET /alerts/stream carry one.
        _ = try await HTTPClient.postJSON(
            "\(gateway.baseURL)/transactions",
            sampleTransaction(id: "contract-alert", amount: "\"15000.00\"")
        )
        _ = try await HTTPClient.poll("\(gateway.baseURL)/alerts", timeout: .seconds(30)) {
            $0.text.contains("contract-alert")
        }

        let result = try runProcess(
            "/usr/bin/env",
            [
                "schemathesis", "--no-color",
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

    /// The contract's `webhooks` section: what a receiver gets validates against `AlertWebhook`
    /// (jsonschema, Draft 2020-12, the schema read from openapi.yaml).
    @Test func alertWebhookBodies_matchTheContractsWebhookSchema() async throws {
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess.start(AlertWebhookEndToEndTests.webhookArguments([receiver.url + "/hook"]))
        defer {
            gateway.stop()
            receiver.stop()
        }
        try await AlertWebhookEndToEndTests.postAlerting(
            gateway,
            id: "contract-hook",
            account: "acc-contract",
            headers: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"]
        )
        try await AlertWebhookEndToEndTests.postAlerting(gateway, id: "contract-hook-2", account: "acc-contract")
        let requests = receiver.waitFor(timeout: .seconds(30)) { $0.count >= 2 }
        #expect(requests.count >= 2)
        let script = """
            import json, sys, yaml
            from jsonschema import Draft202012Validator, FormatChecker
            spec = yaml.safe_load(open(sys.argv[1]))
            schema = spec["webhooks"]["alertRaised"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            validator = Draft202012Validator({**schema, "components": spec["components"]}, format_checker=FormatChecker())
            bodies = [json.loads(line[8:])["body"] for line in sys.stdin if line.startswith("REQUEST ")]
            errors = [e.message for body in bodies for e in validator.iter_errors(body)]
            print(f"{len(bodies)} bodies, {len(errors)} errors: {errors[:5]}")
            sys.exit(1 if errors or not bodies else 0)
            """
        let result = try runProcess(
            "/usr/bin/env",
            ["python3", "-c", script, RepositoryChecks.root.appendingPathComponent("openapi.yaml").path],
            input: receiver.output,
            mergeErrorIntoOutput: true,
            timeout: .seconds(30)
        )
        #expect(result.status == 0, "\(result.stdout)")
    }
}
