import Logging

/// Timeouts: every `context.sweepInterval` the loop looks at each connection's deadlines (the phase's
/// and the response deadline of its request in flight). No timer per connection or request.
extension EventLoop {
    func sweep() {
        nextSweep = now + context.sweepInterval
        resumeAcceptingIfDue()
        guard liveConnections > 0 else { return }
        for fd in connections.indices {
            guard let connection = connections[fd] else { continue }
            // A connection has at most one request in flight (they are handled one after another), so
            // its response deadline is that of its oldest unanswered request.
            if connection.state.isDue(at: now) {
                connection.tick()
            }
        }
    }

    /// One log line per second at most: when a dependency stalls, every request times out at once.
    func noteResponseTimeout(requestID: String?) {
        guard let timedOut = responseTimeoutLog.note(at: now) else { return }
        logger.warning(
            "handler did not answer within the response timeout; answering 504",
            metadata: ["request_id": "\(requestID ?? "-")", "timed_out": "\(timedOut)"]
        )
    }
}
