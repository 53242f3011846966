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

    /// The account's latest `threshold - 1` transactions by event time: all a window of
    /// `threshold` needs besides the current one, so the list is bounded whatever the rate.
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
        let now = input.eventTime
        // `recent` is sorted by time, so the earlier events within the window are one range.
        // Out-of-order events only see earlier ones: later ones in `recent` are not in its window.
        let upper = state.recent.firstIndex { $0.time > now } ?? state.recent.endIndex
        let lower = state.recent[..<upper].firstIndex { now - $0.time <= windowMilliseconds } ?? upper
        let count = upper - lower + 1
        let draft = count >= threshold && !state.inBurst ? burstDraft(input, state.recent[lower..<upper]) : nil
        state.inBurst = count >= threshold
        remember(input, in: &state)
        return draft
    }

    private func burstDraft(_ input: RuleInput, _ earlier: ArraySlice<Event>) -> AlertDraft {
        let span = MonitorClock.secondsText(input.eventTime - earlier.first!.time)
        let window = MonitorClock.secondsText(windowMilliseconds)
        return draft(earlier.map(\.id.text) + [input.transaction.id],
                     "\(earlier.count + 1) transactions within \(span) s (limit: \(threshold) within \(window) s)")
    }

    /// Inserts in event-time order and keeps only the newest `threshold - 1`.
    private func remember(_ input: RuleInput, in state: inout State) {
        let index = state.recent.firstIndex { $0.time > input.eventTime } ?? state.recent.endIndex
        state.recent.insert((input.eventTime, input.compactId), at: index)
        if state.recent.count > threshold - 1 { state.recent.removeFirst(state.recent.count - (threshold - 1)) }
    }
}
