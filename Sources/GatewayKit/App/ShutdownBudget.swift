/// How `--shutdown-timeout` is spent, from the moment the shutdown begins.
///
/// - Until half of it: the HTTP server drains (it stops accepting at once; requests already read
///   are answered, and those still waiting at the end get 503 with `Retry-After`), and, side by
///   side, the consumers leave their group and commit what they applied. With the default 30 s
///   that is 15 s, more than the 10 s delivery timeout, so every request read before the signal
///   gets its own answer: 202, or the 503 of a failed delivery.
/// - Then until `reserve` before the end: the producer flushes what is still queued (records of
///   requests cut off, alerts); at the end of it `KafkaProducerPool.close` fails what is left.
/// - The reserve (a tenth, at most 1 s): destroying the clients and the embedded cluster.
/// `ShutdownWatchdog` exits the process at `end` if any of that is still blocked.
struct ShutdownBudget {
    let start: ContinuousClock.Instant
    let timeout: Duration

    init(timeout: Duration, start: ContinuousClock.Instant = .now) {
        self.start = start
        self.timeout = timeout
    }

    var drainDeadline: ContinuousClock.Instant { start + timeout / 2 }
    var reserve: Duration { min(.seconds(1), timeout / 10) }
    var flushDeadline: ContinuousClock.Instant { end - reserve }
    var end: ContinuousClock.Instant { start + timeout }

    /// Time left until `deadline`, never negative.
    func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.zero, deadline - .now)
    }
}
