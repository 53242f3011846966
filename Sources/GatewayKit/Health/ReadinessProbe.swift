import Dispatch
import Synchronization

/// Answers "does a broker answer the producer now?" for `GET /readyz` without letting probes pile
/// up: the blocking metadata request runs on one serial queue, concurrent probes wait for the same
/// check, and a result is reused for `freshness`. A probe storm thus costs at most one blocked
/// thread and one metadata request per `freshness`, instead of one blocked thread per probe.
final class ReadinessProbe: Sendable {
    typealias Check = @Sendable () -> Result<[String], BrokerCheckFailure>
    typealias Waiter = @Sendable (Result<[String], BrokerCheckFailure>) -> Void

    private struct State {
        var last: (result: Result<[String], BrokerCheckFailure>, at: ContinuousClock.Instant)?
        var waiters: [Waiter] = []
    }

    private let check: Check
    private let freshness: Duration
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "gateway.readiness")

    init(freshness: Duration = .seconds(1), check: @escaping Check) {
        self.check = check
        self.freshness = freshness
    }

    /// Calls `done` with a result no older than `freshness`, from this thread or the probe's.
    func probe(_ done: @escaping Waiter) {
        let now = ContinuousClock.now
        let action: (cached: Result<[String], BrokerCheckFailure>?, startCheck: Bool) = state.withLock { state in
            if let last = state.last, now - last.at < freshness { return (last.result, false) }
            state.waiters.append(done)
            return (nil, state.waiters.count == 1)
        }
        if let cached = action.cached { return done(cached) }
        if action.startCheck { queue.async { self.runCheck() } }
    }

    private func runCheck() {
        let result = check()
        let waiters = state.withLock { state in
            state.last = (result, ContinuousClock.now)
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter(result) }
    }
}
