/// At most `limit` alerts per account and rule per minute of event time; the rest are suppressed:
/// not stored, not published, only counted (`gateway_alerts_suppressed_total`), and the next alert
/// of that account and rule that passes says how many were suppressed before it.
///
/// Why: a load where every transaction triggers a rule (one card charged again and again) would
/// otherwise turn each transaction into an alert to encode, produce, read back, store and push to
/// the dashboards, which halved ingestion; an analyst learns nothing from the sixth identical alert
/// of a minute that the fifth did not say.
///
/// The period starts at an account's first alert of the rule and lasts `period` of event time (the
/// rules' own clock), so a replay after a checkpoint restore decides exactly as the first pass did.
/// A late alert (event time before the period's start) counts in the current period.
struct AlertRateLimit: Sendable {
    static let period: Int64 = 60_000
    /// Alerts per account, rule and period; 0 means no bound.
    let limit: Int

    /// One rule's period within an account. Kept only for rules that fired, so an account without
    /// alerts costs an empty array (no allocation).
    struct Budget: Sendable, Equatable {
        var rule: AlertRuleName
        var periodStart: Int64
        var passed: Int
        /// Suppressed since the last alert of the rule that passed.
        var suppressed: Int
    }

    typealias State = [Budget]

    var isBounded: Bool { limit > 0 }

    /// Keeps the drafts within the budget (setting `suppressedBefore` on those that pass) and
    /// reports each suppressed one's rule to `suppressed`.
    func admit(
        _ drafts: [AlertDraft],
        at time: Int64,
        state: inout State,
        suppressed: (AlertRuleName) -> Void
    ) -> [AlertDraft] {
        guard isBounded, !drafts.isEmpty else { return drafts }
        return drafts.compactMap { draft in
            var draft = draft
            guard let before = admit(draft.rule, at: time, state: &state) else {
                suppressed(draft.rule)
                return nil
            }
            draft.suppressedBefore = before
            return draft
        }
    }

    /// Nil if the alert is suppressed, else how many were suppressed before it.
    private func admit(_ rule: AlertRuleName, at time: Int64, state: inout State) -> Int? {
        guard let index = state.firstIndex(where: { $0.rule == rule }) else {
            state.append(Budget(rule: rule, periodStart: time, passed: 1, suppressed: 0))
            return 0
        }
        if time - state[index].periodStart >= Self.period {
            state[index].periodStart = time
            state[index].passed = 0
        }
        guard state[index].passed < limit else {
            state[index].suppressed += 1
            return nil
        }
        state[index].passed += 1
        defer { state[index].suppressed = 0 }
        return state[index].suppressed
    }
}
