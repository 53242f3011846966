/// Timeouts: each phase of a connection has its own (header, body, idle, linger), and a request in
/// flight has the response deadline. The loop's sweep calls `tick` when one of them passed; there is
/// no timer per connection or request.
extension HTTPConnectionState {
    /// What the connection is waiting for; selects the timeout that applies.
    enum Phase {
        case none
        case fresh  // accepted, no byte yet
        case idle  // keep-alive, between requests
        case head  // header section incomplete
        case body  // body incomplete
        case handler  // handler has not answered; its deadline is the request's `responseDeadline`
        case writing  // client is not reading our output
        case lingering  // closing: output shut down, discarding input
        case awaitingBudget  // between requests, bytes unread for want of request budget
        case streaming  // a streaming response is open and all its output was sent: no timeout
    }

    /// The phase the connection waits in and when that wait times out.
    struct PhaseTimer {
        var phase = Phase.none
        /// Monotonic ns after which the phase times out (`tick`); 0 for none.
        var deadline: UInt64 = 0
        /// When the request being read began: the observer's duration for a refused one.
        var requestStarted: UInt64 = 0
    }

    /// True when `tick` has something to do at `now`.
    @inline(__always)
    func isDue(at now: UInt64) -> Bool {
        (timer.deadline != 0 && timer.deadline <= now) || responseDeadlinePassed(at: now)
    }

    private func responseDeadlinePassed(at now: UInt64) -> Bool {
        guard case .awaitingResponse(let flight) = lifecycle, let deadline = flight.responseDeadline else {
            return false
        }
        return deadline <= now
    }

    /// The loop's sweep found a deadline passed. A handler that missed the response deadline is
    /// answered 504 in its place (RFC 9110 §15.6.5) and the connection goes on; its own answer, if one
    /// still comes, carries a sequence number no longer in flight and is dropped. The phase's own
    /// deadline is looked at by the next sweep, once this answer has moved the connection on.
    mutating func tick(at time: EventTime) -> TickOutcome {
        guard !isClosed else { return .none }
        if responseDeadlinePassed(at: time.monotonic) {
            return answerResponseTimeout(at: time)
        }
        if timer.deadline != 0, timer.deadline <= time.monotonic {
            phaseTimedOut(at: time)
        }
        return .none
    }

    private mutating func answerResponseTimeout(at time: EventTime) -> TickOutcome {
        guard let (sequence, requestID) = inFlightIdentity else { return .none }
        responseArrived(sequence: sequence, context.responseTimeoutAnswer, at: time)
        return .answeredResponseTimeout(requestID: requestID)
    }

    /// A started request that stalls gets 408 (RFC 9110 §15.5.9) and the connection closes; a
    /// connection that is idle, lingering or not reading our output is closed silently, since an
    /// unsolicited 408 could be mistaken for the answer to a request sent meanwhile.
    private mutating func phaseTimedOut(at time: EventTime) {
        // Still waiting for the request budget: the server was too busy to read it, not the client
        // too slow, so 503 (RFC 9110 §15.6.4) rather than 408.
        let phase = timer.phase
        if budget.starved, phase == .head || phase == .body || phase == .awaitingBudget {
            refuseForBudget(at: time)
            return
        }
        switch phase {
        case .head: fail(.headerTimeout, at: time)
        case .body: fail(.bodyTimeout, at: time)
        // Bytes that arrived since the loop last polled (the sweep runs before the next epoll_wait,
        // and a loop busy with other connections can be seconds behind) are a request, not silence:
        // read them instead of closing under the client's request.
        case .fresh where socket.readable, .idle where socket.readable: break
        case .fresh, .idle, .writing, .lingering, .handler, .streaming, .awaitingBudget, .none: closeNow()
        }
    }

    /// Moves to the phase the connection is now in; a new phase starts its timeout.
    mutating func updatePhase(now: UInt64) {
        if case .lingering = lifecycle { return }
        let next = currentPhase
        guard next != timer.phase else { return }
        if next == .head || (next == .body && timer.phase != .head) {
            timer.requestStarted = now
        }
        timer.phase = next
        timer.deadline = timeoutLength(next).map { now + $0 } ?? 0
    }

    private var currentPhase: Phase {
        if pendingOutputCount > 0 { return .writing }
        if hasRequestInFlight { return .handler }
        if isStreaming { return .streaming }
        if budget.starved, parser.stage == .idle { return .awaitingBudget }
        switch parser.stage {
        case .head: return .head
        case .body: return .body
        case .idle: return requestsSeen == 0 ? .fresh : .idle
        }
    }

    private func timeoutLength(_ phase: Phase) -> UInt64? {
        switch phase {
        case .fresh, .head, .awaitingBudget: return context.headerReadTimeout
        case .idle, .writing: return context.idleTimeout
        case .body: return context.bodyReadTimeout
        case .lingering: return context.lingerTimeout
        case .handler, .streaming, .none: return nil
        }
    }
}
