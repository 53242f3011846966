/// One webhook endpoint's circuit breaker: after `threshold` failures in a row the endpoint gets no
/// requests for a while (open), then one request probes it (half-open): success closes the
/// circuit, failure opens it again. A dead receiver then costs one request per open period
/// instead of one per alert and retry, and its alerts wait without holding up other endpoints.
struct CircuitBreaker {
    enum State: Equatable {
        case closed
        case open(until: UInt64)
        case halfOpen
    }

    let threshold: Int
    let openNanoseconds: UInt64
    private(set) var state = State.closed
    private(set) var failuresInRow = 0

    init(threshold: Int, openNanoseconds: UInt64) {
        self.threshold = max(1, threshold)
        self.openNanoseconds = openNanoseconds
    }

    /// Whether a request may start now; an open circuit whose time is up lets one probe through.
    mutating func allowsRequest(now: UInt64) -> Bool {
        switch state {
        case .closed: return true
        case .halfOpen: return false  // the probe is in flight
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen
            return true
        }
    }

    mutating func recordSuccess() {
        failuresInRow = 0
        state = .closed
    }

    mutating func recordFailure(now: UInt64) {
        failuresInRow += 1
        if state == .halfOpen || failuresInRow >= threshold { state = .open(until: now + openNanoseconds) }
    }

    /// When an open circuit lets a probe through; nil when not open.
    var reopensAt: UInt64? {
        if case .open(let until) = state { until } else { nil }
    }

    /// For `/metrics`: 0 closed, 1 open, 2 half-open.
    var gaugeValue: Double {
        switch state {
        case .closed: 0
        case .open: 1
        case .halfOpen: 2
        }
    }
}
