import Foundation
import Testing

/// The real `txgen` executable, run as a child process: exit statuses and messages as a user sees
/// them. `swift test` builds the package's executables next to the test bundle.
@Suite(.timeLimit(.minutes(1))) struct ProcessTests {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func executable() throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for name in ["txgen", "TxGen"] {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw POSIXError(.ENOENT)
    }

    /// Runs txgen with a hard deadline; a child still running then is killed by its PID.
    static func run(_ arguments: [String], deadline: TimeInterval = 30) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("txgen-out-\(UUID())")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("txgen-err-\(UUID())")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let started = Date()
        while process.isRunning && Date().timeIntervalSince(started) < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("txgen \(arguments) did not finish within \(deadline) s")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    @Test func closedPort_processExitsNonZeroWithCurlsMessage() throws {
        let port = closedLocalPort()
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
        let server = try TinyHTTPServer(handler: stubGateway)
        defer { server.stop() }
        let result = try Self.run(["--url", server.url, "--rate", "400", "--duration", "1500ms", "--seed", "1"])
        #expect(result.status == 0)
        let progress = result.stderr.split(separator: "\n").filter { $0.wholeMatch(of: #/\[[0-9]+\.[0-9]s\] sent [0-9]+  accepted [0-9]+ .*/#) != nil }
        #expect(!progress.isEmpty, "a progress line about once a second: \(result.stderr)")
        for label in ["accepted", "p50", "p99.9", "HTTP status 202:", "late sends"] {
            #expect(result.stdout.contains(label), "summary lacks \(label): \(result.stdout)")
        }
    }

    @Test func dryRun_processWritesNDJSONToStdout() throws {
        let result = try Self.run(["--dry-run", "--count", "100", "--seed", "2"])
        #expect(result.status == 0)
        #expect(WireTransaction.decode(result.stdout)?.count == 100)
        #expect(result.stderr.contains("wrote 100 transactions"))
    }
}
