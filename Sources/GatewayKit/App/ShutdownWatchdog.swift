import CoreSupport
import Foundation
import Logging
import Synchronization

/// Makes sure the process ends, whatever blocks the orderly stop.
///
/// swift-service-lifecycle turns the first SIGTERM/SIGINT into a graceful shutdown and then stops
/// listening: a second signal would be ignored. And the stop runs on a thread of its own, blocked
/// in librdkafka or joins when brokers vanish, which cancelling the group cannot interrupt. So this
/// watches the signals too (a dispatch source per signal, as swift-service-lifecycle uses; sources
/// on one signal each see it) and, once armed, the deadline. Either ends the process with `_exit`:
/// `exit` would run atexit handlers on a process whose threads may hold the locks they need. The
/// log line before it says why and what was still in progress.
///
/// `@unchecked Sendable` only for `sources` (dispatch sources are not Sendable): they are created
/// and resumed in `init` and never touched again; libdispatch serves their events on a queue of their own.
final class ShutdownWatchdog: @unchecked Sendable {
    private let logger: Logger
    private let progress: @Sendable () -> Logger.Metadata
    private let sources: [any DispatchSourceSignal]
    private let signalsSeen = Atomic<Int>(0)

    /// Starts watching at once: counts SIGTERM and SIGINT; the second exits.
    init(logger: Logger, progress: @escaping @Sendable () -> Logger.Metadata) {
        self.logger = logger
        self.progress = progress
        let queue = DispatchQueue(label: "gateway.shutdown-watchdog")
        sources = [SIGTERM, SIGINT].map { number in
            // The default action would end the process before any shutdown; the source still sees
            // an ignored signal (swift-service-lifecycle sets the same).
            signal(number, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: number, queue: queue)
        }
        for (source, number) in zip(sources, [SIGTERM, SIGINT]) {
            source.setEventHandler { [self] in
                guard signalsSeen.wrappingAdd(1, ordering: .relaxed).newValue >= 2 else { return }
                exitNow("second signal: exiting at once, abandoning the shutdown in progress", signal: number)
            }
            source.resume()
        }
    }

    /// The shutdown began: if the process still runs after `timeout`, it exits then.
    func arm(timeout: Duration) {
        let deadline = DispatchTime.now() + .nanoseconds(Int(clamping: timeout.clampedNanoseconds))
        Thread.detachNewThread { [self] in
            // Nothing signals it: this only waits, on a thread that nothing else can starve.
            _ = DispatchSemaphore(value: 0).wait(timeout: deadline)
            exitNow("shutdown timeout passed: exiting, abandoning the shutdown in progress", signal: nil)
        }
    }

    private func exitNow(_ reason: String, signal: Int32?) -> Never {
        var metadata = progress()
        metadata["signal"] = signal.map { .string($0 == SIGTERM ? "SIGTERM" : "SIGINT") }
        logger.error("\(reason)", metadata: metadata)
        _exit(1)
    }
}
