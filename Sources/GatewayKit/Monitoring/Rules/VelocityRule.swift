/// `velocity`: `count` (default 5) or more transactions of one account within `window` of event
/// time (inclusive: the first and the last may be exactly `window` apart).
///
/// Fires once per burst: on the transaction that brings the window to `count`, then not again
/// while each new transaction still finds `count` in its window (counting itself). A transaction
/// that finds fewer ends the burst, so the next time the window reaches `count` fires again.
struct VelocityRule: AlertRule {
    static let name = AlertRuleName.velocity
    let severity: AlertSeverity
    let threshold: Int
    let windowMilliseconds: Int64

    /// An account's transaction as the rule keeps it. `State.recent` holds the latest `threshold - 1`
    /// by event time: all a window of `threshold` needs besides the current one, so it is bounded
    /// whatever the rate.
    typealias Event = (time: Int64, id: CompactTransactionID)

    struct State: Sendable {
        var recent: [Event] = []
        var inBurst = false
    }

    init(_ configuration: AlertRulesConfiguration.Velocity) {
        severity = configuration.severity
        threshold = configuration.count
        windowMilliseconds = Int64((configuration.windowSeconds * 1000).rounded())
    }

    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft? {
        // In place (no allocation once the list has grown): insert, judge, trim.
        let position = state.recent.firstIndex { $0.time > input.eventTime } ?? state.recent.endIndex
        state.recent.insert((input.eventTime, input.compactId), at: position)
        let window = densestWindow(state.recent, containing: position)
        let draft =
            window.count >= threshold && !state.inBurst ? burstDraft(input, state.recent, window, position) : nil
        state.inBurst = window.count >= threshold
        // Keep only the newest `threshold - 1`: all a later window of `threshold` needs.
        if state.recent.count > threshold - 1 { state.recent.removeFirst(state.recent.count - (threshold - 1)) }
        return draft
    }

    /// The most events within one window length that include the event at `position`. Clients send
    /// concurrently, so one account's transactions can reach the monitor out of event-time order;
    /// a late-arriving earlier transaction must still complete a burst with the later ones it
    /// already saw (counting only earlier ones missed such bursts under load). Two pointers: O(n).
    private func densestWindow(_ events: [Event], containing position: Int) -> Range<Int> {
        var best = position..<(position + 1)
        var end = position + 1
        for start in 0...position where events[position].time - events[start].time <= windowMilliseconds {
            while end < events.count, events[end].time - events[start].time <= windowMilliseconds { end += 1 }
            if end - start > best.count { best = start..<end }
        }
        return best
    }

    private func burstDraft(_ input: RuleInput, _ events: [Event], _ window: Range<Int>, _ position: Int) -> AlertDraft
    {
        let ids = window.map { $0 == position ? input.transaction.id : events[$0].id.text }
        let span = MonitorClock.secondsText(events[window.upperBound - 1].time - events[window.lowerBound].time)
        let limit = MonitorClock.secondsText(windowMilliseconds)
        return draft(ids, "\(window.count) transactions within \(span) s (limit: \(threshold) within \(limit) s)")
    }
}
