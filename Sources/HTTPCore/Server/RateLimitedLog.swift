/// Counts occurrences of one kind of event and lets a log line through at most once per interval,
/// so that a flood of events (a connection flood, a stalled dependency) cannot flood the log.
struct RateLimitedLog {
    private let interval: UInt64
    private var sinceLast = 0
    private var next: UInt64 = 0

    init(interval: UInt64 = 1_000_000_000) {
        self.interval = interval
    }

    /// Counts one event at `now`; returns how many happened since the last line when one is due.
    mutating func note(at now: UInt64) -> Int? {
        sinceLast += 1
        guard now >= next else { return nil }
        defer {
            sinceLast = 0
            next = now + interval
        }
        return sinceLast
    }
}
