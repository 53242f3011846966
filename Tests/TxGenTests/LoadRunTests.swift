import Foundation
import Testing

@testable import TxGenKit

/// Load runs against a stub gateway on 127.0.0.1 started in-process, through the library's run.
@Suite(.timeLimit(.minutes(1))) struct LoadRunTests {
    private func summary(of output: CapturedOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.out)) as? [String: Any])
    }

    /// Runs with the command's defaults changed by `configure`; returns the exit status.
    private func execute(
        _ output: CapturedOutput,
        shouldStop: () -> Bool = { false },
        _ configure: (inout RunOptions) -> Void
    ) -> Int32 {
        var options = RunOptions()
        configure(&options)
        return TxGenRun(options: options).execute(output: output, shouldStop: shouldStop)
    }

    @Test func singleRequests_countAcceptedAndRejectedStatuses() throws {
        let server = try StubGateway()
        defer { server.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("txgen-load-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = CapturedOutput()
        let status = execute(output) {
            ($0.url, $0.count, $0.rate, $0.concurrency, $0.seed) = (server.url, 600, 0, 4, 9)
            ($0.fraudShare, $0.quiet, $0.json, $0.timeoutMillis, $0.expectReportPath) = (0.05, true, true, 5_000, path)
        }
        #expect(status == 0)

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
        let server = try StubGateway()
        defer { server.stop() }
        let output = CapturedOutput()
        let status = execute(output) {
            ($0.url, $0.count, $0.batch, $0.rate, $0.concurrency) = (server.url, 1_000, 120, 0, 3)
            ($0.seed, $0.quiet, $0.json) = (10, true, true)
        }
        #expect(status == 0)
        let (ndjson, _) = generate(seed: 10, count: 1_000, fraudShare: 0.01)
        let ids = try #require(WireTransaction.decode(ndjson)).map(\.id)
        let statuses = Dictionary(grouping: ids, by: stubStatus(forID:)).mapValues(\.count)
        let json = try summary(of: output)
        #expect(json["requests_sent"] as? Int == 9, "8 full batches of 120 and one of 40")
        #expect(json["accepted"] as? Int == statuses[202])
        #expect(json["rejected"] as? Int == 1_000 - statuses[202]!)
        #expect(json["status_counts"] as? [String: Int] == ["200": 9])
        #expect(
            json["item_status_counts"] as? [String: Int]
                == ["accepted": statuses[202]!, "422": statuses[422]!, "503": statuses[503]!]
        )
        #expect(server.requestCount == 9)
    }

    @Test func rateLimitedRun_keepsToTheSchedule() throws {
        let server = try StubGateway()
        defer { server.stop() }
        let output = CapturedOutput()
        let started = Date()
        let status = execute(output) {
            ($0.url, $0.count, $0.rate, $0.concurrency, $0.seed) = (server.url, 150, 300, 8, 11)
            ($0.quiet, $0.json) = (true, true)
        }
        #expect(status == 0)
        let elapsed = Date().timeIntervalSince(started)
        // 150 sends at 300/s are scheduled over 0.5 s: not faster, and not much slower.
        #expect(elapsed >= 0.48 && elapsed < 5, "took \(elapsed) s")
        let json = try summary(of: output)
        #expect(json["transactions_sent"] as? Int == 150)
        #expect(json["late_sends"] is Int)
        #expect(json["latency_from_schedule_ms"] is [String: Any])
    }

    @Test func everyTransactionRejected_exitsWithFailureAndSaysWhy() throws {
        let server = try StubGateway { _ in
            .text(503, #"{"status":503,"title":"Kafka unavailable"}"#, contentType: "application/problem+json")
        }
        defer { server.stop() }
        let output = CapturedOutput()
        #expect(execute(output) { ($0.url, $0.count, $0.rate, $0.quiet) = (server.url, 20, 0, true) } == 1)
        #expect(output.err.contains("no transaction was accepted"))
        #expect(output.err.contains("HTTP 503"))
        #expect(output.err.contains("Kafka unavailable"))
        #expect(output.outText.contains("rejected   20"))
    }

    @Test func closedPort_exitsWithFailureAndCurlsError() throws {
        let port = try closedLocalPort()
        let output = CapturedOutput()
        let status = execute(output) {
            ($0.url, $0.count, $0.rate, $0.quiet, $0.json) = (
                "http://127.0.0.1:\(port)/transactions", 50, 0, true, true
            )
        }
        #expect(status == 1)
        #expect(output.err.contains("no transaction was accepted"))
        #expect(output.err.contains("Couldn't connect to server"), "stderr: \(output.err)")
        let json = try summary(of: output)
        #expect(json["errors"] as? Int == 50)
        #expect(json["accepted"] as? Int == 0)
        let messages = try #require(json["error_messages"] as? [String: Int])
        #expect(messages.keys.contains { $0.contains("127.0.0.1") && $0.contains("\(port)") })
    }

    @Test func gatewayDownForAWholeDuration_givesUpEarly() throws {
        let port = try closedLocalPort()
        let output = CapturedOutput()
        let started = Date()
        let status = execute(output) {
            ($0.url, $0.durationNanos, $0.rate) = ("http://127.0.0.1:\(port)/transactions", 30_000_000_000, 0)
            ($0.quiet, $0.json) = (true, true)
        }
        #expect(status == 1)
        #expect(Date().timeIntervalSince(started) < 10)
        let json = try summary(of: output)
        #expect((json["stop_reason"] as? String)?.hasPrefix("gave up") == true)
    }

    @Test func interrupt_stopsSendingAndStillSummarises() throws {
        let server = try StubGateway()
        defer { server.stop() }
        let output = CapturedOutput()
        let started = Date()
        let status = execute(output, shouldStop: { Date().timeIntervalSince(started) > 0.5 }) {
            ($0.url, $0.durationNanos, $0.rate, $0.quiet, $0.json) = (server.url, 60_000_000_000, 200, true, true)
        }
        #expect(status == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        let json = try summary(of: output)
        #expect(json["stop_reason"] as? String == "interrupted")
        #expect((json["accepted"] as? Int ?? 0) > 0)
    }
}
