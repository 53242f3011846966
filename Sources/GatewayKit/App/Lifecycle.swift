import Foundation
import Logging
import ServiceLifecycle

/// Runs the gateway (or the cluster alone) under swift-service-lifecycle: start, serve until SIGTERM
/// or SIGINT asks for a graceful shutdown, then stop. The library owns the signal handling; the
/// start and stop order of the parts stays in `GatewayService`, because ServiceLifecycle starts a
/// group's services concurrently and the parts must start one after the other (cluster, producer,
/// server, consumers).
package enum Lifecycle {
    package static func run(logger: Logger, start: @escaping @Sendable () throws -> Void,
                            stop: @escaping @Sendable () -> Void) async throws {
        let service = StartStopService(start: start, stop: stop)
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// A start/stop pair as a `Service`. Stopping blocks (draining connections, flushing the producer,
/// closing consumers), so it runs on a thread of its own rather than on Swift's cooperative pool.
private struct StartStopService: Service {
    let start: @Sendable () throws -> Void
    let stop: @Sendable () -> Void

    func run() async throws {
        try start()
        // Returns on graceful shutdown; throws CancellationError when the group is cancelled instead.
        try? await gracefulShutdown()
        let stop = self.stop
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                stop()
                done.resume()
            }
        }
    }
}
