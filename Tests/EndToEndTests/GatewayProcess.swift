import Foundation
import TestSupport
import Testing

/// The real `gateway` executable, started for a test and stopped by its PID.
final class GatewayProcess: @unchecked Sendable {
    // Safe: `child` is set once in `launch`, before the value is shared; so are the ports.
    private var child: ChildProcess?
    private(set) var port = 0
    private(set) var bootstrapServers = ""

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var processIdentifier: Int32 { child?.processIdentifier ?? 0 }

    /// Starts `gateway <arguments>` and waits (bounded) for its "gateway listening" log line.
    static func start(
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        timeout: Duration = .seconds(30)
    ) throws -> GatewayProcess {
        let gateway = GatewayProcess()
        try gateway.launch(["serve", "--host", "127.0.0.1", "--port", "0"] + arguments, environment: environment)
        let line = try gateway.waitForLine(containing: "gateway listening", timeout: timeout)
        gateway.port = Int(line.firstMatch(of: /address=http:\/\/[^ ]+:(\d+)/)?.1 ?? "") ?? 0
        gateway.bootstrapServers = String(line.firstMatch(of: /bootstrap_servers=([^ ]+)/)?.1 ?? "")
        guard gateway.port > 0, !gateway.bootstrapServers.isEmpty else {
            gateway.stop()
            throw TestFailure("could not read port/bootstrap from: \(line)")
        }
        return gateway
    }

    /// Starts `gateway kafka` and returns it with the bootstrap list it printed.
    static func startCluster(topics: String? = nil, timeout: Duration = .seconds(30)) throws -> GatewayProcess {
        let cluster = GatewayProcess()
        try cluster.launch(["kafka"] + (topics.map { ["--topics", $0] } ?? []), environment: [:])
        // stdout carries the bootstrap list alone on a line; log lines (stderr) carry more.
        let line = try cluster.waitForLine(timeout: timeout) { $0.wholeMatch(of: /[0-9.:,]+/) != nil }
        cluster.bootstrapServers = line
        guard !cluster.bootstrapServers.isEmpty else {
            cluster.stop()
            throw TestFailure("no bootstrap list in: \(line)")
        }
        return cluster
    }

    private func launch(_ arguments: [String], environment: [String: String]) throws {
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("GATEWAY_") && !$0.key.hasPrefix("KAFKA_")
        }
        env.merge(environment) { $1 }
        child = try ChildProcess(try Self.binary(), arguments, environment: env, mergeErrorIntoOutput: true)
    }

    var log: String { child?.output ?? "" }

    func waitForLine(containing needle: String, timeout: Duration) throws -> String {
        try waitForLine(timeout: timeout) { $0.contains(needle) }
    }

    func waitForLine(timeout: Duration, where matches: (Substring) -> Bool) throws -> String {
        guard let child else { throw TestFailure("gateway not started") }
        var found: Substring?
        child.wait(timeout: timeout) { child in
            found = child.output.split(separator: "\n").first(where: matches)
            return found != nil || !child.isRunning
        }
        if let found { return String(found) }
        if !child.isRunning { throw TestFailure("gateway exited (\(child.terminationStatus)):\n\(log)") }
        throw TestFailure("no expected line within \(timeout):\n\(log)")
    }

    /// SIGTERM, then SIGKILL if it has not exited within the grace period. Returns the exit status.
    @discardableResult
    func stop(grace: Duration = .seconds(15)) -> Int32 {
        child?.stop(grace: grace) ?? -1
    }

    /// Sends `signal` (SIGTERM, SIGSTOP, SIGCONT, ...) by PID.
    func send(signal: Int32) {
        child?.send(signal: signal)
    }

    /// Waits (bounded) for the process to exit; returns whether it did.
    func waitForExit(timeout: Duration) -> Bool {
        child?.waitForExit(timeout: timeout) ?? true
    }

    /// The exit status, or the signal number when a signal ended it; -1 while it runs.
    var terminationStatus: Int32 { child?.terminationStatus ?? -1 }

    deinit { stop(grace: .seconds(2)) }

    /// The built `gateway` beside this test bundle (same build folder), or $GATEWAY_BINARY.
    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["GATEWAY_BINARY"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("gateway")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw TestFailure(
            "gateway binary not found near \(CommandLine.arguments[0]); run `swift build` first or set GATEWAY_BINARY"
        )
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
