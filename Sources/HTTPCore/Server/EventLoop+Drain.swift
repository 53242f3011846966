import Logging

/// Shutdown: stop accepting, let requests in progress be answered until the grace period ends, then
/// answer those still waiting with 503 and close everything.
extension EventLoop {
    /// Thread-safe: asks the loop to stop accepting and to close once in-flight requests are answered,
    /// or at `deadline` (monotonic ns) at the latest.
    func requestShutdown(deadline: UInt64) {
        inbox.withLock { $0.shutdownDeadline = deadline }
        wake()
    }

    func beginDraining(deadline: UInt64) {
        draining = true
        drainDeadline = deadline
        stopListening()
        for fd in connections.indices {
            if let connection = connections[fd] { connection.drain() }
        }
        checkDrained()
    }

    func checkDrained() {
        if liveConnections == 0 {
            running = false
        } else if now >= drainDeadline {
            let open = liveConnections
            let cutOff = answerInFlightWith503()
            cutOffAtShutdown.store(cutOff, ordering: .relaxed)
            logger.warning(
                "grace period over; closing connections",
                metadata: ["open": "\(open)", "answered_503": "\(cutOff)"]
            )
            running = false
        }
    }

    /// Indexes, not a for-in over the array: answering may close a connection, which clears its slot.
    private func answerInFlightWith503() -> Int {
        var answered = 0
        for fd in connections.indices {
            if let connection = connections[fd], connection.abandonInFlight() { answered += 1 }
        }
        return answered
    }

    func closeEverything() {
        stopListening()
        for fd in connections.indices {
            if let connection = connections[fd] { connection.close() }
        }
        connections = []
        budgetWaiters = []
        buffers.removeAll()
    }
}
