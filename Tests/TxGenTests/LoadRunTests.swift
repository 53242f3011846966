import Foundation
import Testing
@testable import TxGen

/// Load runs against a stub gateway on 127.0.0.1 started in-process, through the real command.
@Suite(.timeLimit(.minutes(1))) struct LoadRunTests {
    private func summary(of output: CapturedOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.out)) as? [String: Any])
    }

    @Test func singleRequests_countAcceptedAndRejectedStatuses() throws {
        let server = try TinyHTTPServer(handler: stubGateway)
        defer { server.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("txgen-load-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let command = try TxGenCommand.parse([
            "--url", server.url, "--count", "600", "--rate", "0", "--concurrency", "4", "--seed", "9",
            "--fraud-share", "0.05", "--quiet", "--json", "--timeout", "5s", "--expect-report", path,
        ])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 0)

        let (ndjson, _) = generate(seed: 9, count: 600, fraudShare: 0.05)
        let ids = try #require(WireTransaction.decode(ndjson)).map(\.id)
        let statuses = Dictionary(grouping: ids, by: stubStatus(forID:)).mapValues(\.count)
        let json = try summary(of: output)
        #expect(json["transactions_sent"] as? Int == 600)
        #expect(json["accepted"] as? Int == statuses[202])
        #expect(json["rejected"] as? Int == statuses[422, default: 0] + statuses[503, default: 0])
        #expect(json["errors"] as? Int == 0)
        let counts = try #require(json["status_counts"] as? [String: Int])
        #expect(counts == ["202": statuses[202]!, "422": statuses[422]!, "503": statuses[503]!])
        let latency = try #require(json["latency_ms"] as? [String: Any])
        #expect(latency["count"] as? Int == 600)
        #expect((latency["p99_9"] as? Double ?? -1) >= (latency["p50"] as? Double ?? 0))
        #expect((json["problem_samples"] as? [String: String])?["422"]?.contains("stub refuses") == true)
        // Keep-alive: 600 requests over at most 4 connections.
        #expect(server.requestCount == 600)
        #expect(server.connectionCount <= 4)

        // The expect report says how many of each pattern's transactions were accepted.
        let report = try ExpectReport.read(from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(!report.entries.isEmpty)
        for entry in report.entries {
            #expect(entry.accepted == entry.transactionIDs.filter { stubStatus(forID: $0) == 202 }.count)
        }
    }

    @Test func batches_countPerItemResults() throws {
        let server = try TinyHTTPServer(handler: stubGateway)
        defer { server.stop() }
        let command = try TxGenCommand.parse([
            "--url", server.url, "--count", "1000", "--batch", "120", "--rate", "0", "--concurrency", "3",
            "--seed", "10", "--quiet", "--json",
        ])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 0)
        let (ndjson, _) = generate(seed: 10, count: 1_000, fraudShare: 0.01)
        let ids = try #require(WireTransaction.decode(ndjson)).map(\.id)
        let statuses = Dictionary(grouping: ids, by: stubStatus(forID:)).mapValues(\.count)
        let json = try summary(of: output)
        #expect(json["requests_sent"] as? Int == 9, "8 full batches of 120 and one of 40")
        #expect(json["accepted"] as? Int == statuses[202])
        #expect(json["rejected"] as? Int == 1_000 - statuses[202]!)
        #expect(json["status_counts"] as? [String: Int] == ["200": 9])
        #expect(json["item_status_counts"] as? [String: Int]
            == ["accepted": statuses[202]!, "422": statuses[422]!, "503": statuses[503]!])
        #expect(server.requestCount == 9)
    }

    @Test func rateLimitedRun_keepsToTheSchedule() throws {
        let server = try TinyHTTPServer(handler: stubGateway)
        defer { server.stop() }
        let command = try TxGenCommand.parse([
            "--url", server.url, "--count", "150", "--rate", "300", "--concurrency", "8", "--seed", "11",
            "--quiet", "--json",
        ])
        let output = CapturedOutput()
        let started = Date()
        #expect(command.execute(output: output) == 0)
        let elapsed = Date().timeIntervalSince(started)
        // 150 sends at 300/s are scheduled over 0.5 s: not faster, and not much slower.
        #expect(elapsed >= 0.48 && elapsed < 5, "took \(elapsed) s")
        let json = try summary(of: output)
        #expect(json["transactions_sent"] as? Int == 150)
        #expect(json["late_sends"] is Int)
        #expect(json["latency_from_schedule_ms"] is [String: Any])
    }

    @Test func everyTransactionRejected_exitsWithFailureAndSaysWhy() throws {
        let server = try TinyHTTPServer { _ in
            .init(status: 503, contentType: "application/problem+json", body: #"{"status":503,"title":"Kafka unavailable"}"#)
        }
        defer { server.stop() }
        let command = try TxGenCommand.parse(["--url", server.url, "--count", "20", "--rate", "0", "--quiet"])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 1)
        #expect(output.err.contains("no transaction was accepted"))
        #expect(output.err.contains("HTTP 503"))
        #expect(output.err.contains("Kafka unavailable"))
        #expect(output.outText.contains("rejected   20"))
    }

    @Test func closedPort_exitsWithFailureAndCurlsError() throws {
        let port = closedLocalPort()
        let command = try TxGenCommand.parse([
            "--url", "http://127.0.0.1:\(port)/transactions", "--count", "50", "--rate", "0", "--quiet", "--json",
        ])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 1)
        #expect(output.err.contains("no transaction was accepted"))
        #expect(output.err.contains("Couldn't connect to server"), "stderr: \(output.err)")
        let json = try summary(of: output)
        #expect(json["errors"] as? Int == 50)
        #expect(json["accepted"] as? Int == 0)
        let messages = try #require(json["error_messages"] as? [String: Int])
        #expect(messages.keys.contains { $0.contains("127.0.0.1") && $0.contains("\(port)") })
    }

    @Test func gatewayDownForAWholeDuration_givesUpEarly() throws {
        let port = closedLocalPort()
        let command = try TxGenCommand.parse([
            "--url", "http://127.0.0.1:\(port)/transactions", "--duration", "30s", "--rate", "0", "--quiet", "--json",
        ])
        let output = CapturedOutput()
        let started = Date()
        #expect(command.execute(output: output) == 1)
        #expect(Date().timeIntervalSince(started) < 10)
        let json = try summary(of: output)
        #expect((json["stop_reason"] as? String)?.hasPrefix("gave up") == true)
    }

    @Test func interrupt_stopsSendingAndStillSummarises() throws {
        let server = try TinyHTTPServer(handler: stubGateway)
        defer { server.stop() }
        let command = try TxGenCommand.parse(["--url", server.url, "--duration", "60s", "--rate", "200", "--quiet", "--json"])
        let output = CapturedOutput()
        let started = Date()
        let status = command.execute(output: output) { Date().timeIntervalSince(started) > 0.5 }
        #expect(status == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        let json = try summary(of: output)
        #expect(json["stop_reason"] as? String == "interrupted")
        #expect((json["accepted"] as? Int ?? 0) > 0)
    }
}
