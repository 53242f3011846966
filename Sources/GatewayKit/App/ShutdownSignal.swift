import Dispatch
import Foundation

/// Blocks the main thread until SIGINT or SIGTERM, the signals a terminal or an orchestrator sends.
package enum ShutdownSignal {
    package static func wait() {
        let done = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "gateway.signals")
        var sources: [DispatchSourceSignal] = []
        for signum in [SIGINT, SIGTERM] {
            signal(signum, SIG_IGN)  // let the dispatch source, not the default action, see it
            let source = DispatchSource.makeSignalSource(signal: signum, queue: queue)
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        sources.forEach { $0.cancel() }
    }
}
