import Foundation
import TestSupport
import Testing

/// The real `txgen` executable, run as a child process: exit statuses and messages as a user sees
/// them. `swift test` builds the package's executables next to the test bundle.
@Suite(.timeLimit(.minutes(1))) struct ProcessTests {
    static func executable() throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for name in ["txgen", "TxGen"] {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw POSIXError(.ENOENT)
    }

    /// Runs txgen with a hard deadline; a child still running then is killed by its PID.
    static func run(_ arguments: [String], deadline: Duration = .seconds(30)) throws -> ProcessResult {
        let result = try runProcess(try executable(), arguments, timeout: deadline)
        if result.timedOut { Issue.record("txgen \(arguments) did not finish within \(deadline)") }
        return result
    }

    @Test func closedPort_processExitsNonZeroWithCurlsMessage() throws {
        let port = try closedLocalPort()
        let result = try Self.run(["--url", "http://127.0.0.1:\(port)/transactions", "--count", "30", "--rate", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no transaction was accepted"))
        #expect(result.stderr.contains("Couldn't connect to server"), "stderr: \(result.stderr)")
        #expect(result.stdout.contains("errors     30"))
    }

    @Test func badURL_processExitsWithUsageError() throws {
        let result = try Self.run(["--url", "gopher://127.0.0.1/x", "--count", "1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("is not http or https"))
    }

    @Test func sendingToStub_printsProgressAndSummary() throws {
        let server = try StubGateway()
        defer { server.stop() }
        let result = try Self.run(["--url", server.url, "--rate", "400", "--duration", "1500ms", "--seed", "1"])
        #expect(result.status == 0)
        let progress = result.stderr.split(separator: "\n").filter {
            $0.wholeMatch(of: #/\[[0-9]+\.[0-9]s\] sent [0-9]+  accepted [0-9]+ .*/#) != nil
        }
        #expect(!progress.isEmpty, "a progress line about once a second: \(result.stderr)")
        for label in ["accepted", "p50", "p99.9", "HTTP status 202:", "late sends"] {
            #expect(result.stdout.contains(label), "summary lacks \(label): \(result.stdout)")
        }
    }

    @Test func sigint_stopsSendingAndStillPrintsTheSummary() throws {
        let server = try StubGateway()
        defer { server.stop() }
        let child = try ChildProcess(
            try Self.executable(),
            ["--url", server.url, "--rate", "200", "--duration", "60s", "--seed", "1"]
        )
        defer { child.killNow() }
        // The first progress line shows it is sending.
        #expect(child.wait(timeout: .seconds(10)) { $0.errorOutput.contains("] sent ") })
        child.send(signal: SIGINT)
        #expect(child.waitForExit(timeout: .seconds(10)), "still running after SIGINT")
        #expect(child.terminationStatus == 0)
        #expect(child.output.contains("(interrupted)"), "summary: \(child.output)")
        #expect(server.requestCount > 0)
    }

    @Test func dryRun_processWritesNDJSONToStdout() throws {
        let result = try Self.run(["--dry-run", "--count", "100", "--seed", "2"])
        #expect(result.status == 0)
        #expect(WireTransaction.decode(result.stdout)?.count == 100)
        #expect(result.stderr.contains("wrote 100 transactions"))
    }
}
