import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the gateway (or the cluster alone) under swift-service-lifecycle: start, serve until SIGTERM
/// or SIGINT asks for a graceful shutdown, then stop. The library owns the signal handling; the
/// start and stop order of the parts stays in `GatewayService`, because ServiceLifecycle starts a
/// group's services concurrently and the parts must start one after the other (cluster, producer,
/// server, consumers). `ShutdownWatchdog` bounds the stop: a second signal, or `shutdownTimeout`
/// passing, ends the process whatever the stop is blocked on.
package enum ServiceRunner {
    /// Returns whether the stop was clean (it reports so); the caller turns false into exit status 1.
    package static func run(
        logger: Logger,
        shutdownTimeout: Duration,
        start: @escaping @Sendable () throws -> Void,
        stop: @escaping @Sendable () -> Bool,
        progress: @escaping @Sendable () -> Logger.Metadata = { [:] }
    ) async throws -> Bool {
        let watchdog = ShutdownWatchdog(logger: logger, progress: progress)
        let service = StartStopService(start: start, stop: stop, watchdog: watchdog, shutdownTimeout: shutdownTimeout)
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        return service.outcome.withLock { $0 }
    }
}

/// A start/stop pair as a `Service`. Stopping blocks (draining connections, flushing the producer,
/// closing consumers), so it runs on a thread of its own rather than on Swift's cooperative pool.
private final class StartStopService: Service, Sendable {
    let start: @Sendable () throws -> Void
    let stop: @Sendable () -> Bool
    let watchdog: ShutdownWatchdog
    let shutdownTimeout: Duration
    let outcome = Mutex(true)

    init(
        start: @escaping @Sendable () throws -> Void,
        stop: @escaping @Sendable () -> Bool,
        watchdog: ShutdownWatchdog,
        shutdownTimeout: Duration
    ) {
        self.start = start
        self.stop = stop
        self.watchdog = watchdog
        self.shutdownTimeout = shutdownTimeout
    }

    func run() async throws {
        try start()
        // Returns on graceful shutdown; throws CancellationError when the group is cancelled instead.
        try? await gracefulShutdown()
        watchdog.arm(timeout: shutdownTimeout)
        let stop = self.stop
        let clean = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            Thread.detachNewThread { done.resume(returning: stop()) }
        }
        outcome.withLock { $0 = clean }
    }
}
