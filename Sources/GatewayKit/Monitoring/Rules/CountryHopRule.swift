/// `country_hop`: one account in two different countries within `window` (default 10 minutes)
/// of event time, inclusive. Transactions without a country are ignored.
///
/// It compares each transaction with the account's latest earlier one that had a country, so
/// it fires on each change of country (US -> BR fires; BR -> BR does not; BR -> US again fires),
/// not on every transaction made while an earlier one abroad is still within the window.
struct CountryHopRule: AlertRule {
    static let name = AlertRuleName.countryHop
    let severity: AlertSeverity
    let windowMilliseconds: Int64

    typealias Sighting = (country: String, time: Int64, id: CompactTransactionID)

    /// The account's latest transaction with a country, by event time.
    struct State: Sendable {
        var last: Sighting?
    }

    init(_ configuration: AlertRulesConfiguration.WindowedRule) {
        severity = configuration.severity
        windowMilliseconds = Int64((configuration.windowSeconds * 1000).rounded())
    }

    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft? {
        guard let country = input.transaction.country else { return nil }
        guard let previous = state.last else {
            state.last = (country, input.eventTime, input.compactId)
            return nil
        }
        let gap = abs(input.eventTime - previous.time)
        let hopped = previous.country != country && gap <= windowMilliseconds
        let draft = hopped ? hopDraft(input, from: previous, to: country, gap: gap) : nil
        if input.eventTime >= previous.time { state.last = (country, input.eventTime, input.compactId) }
        return draft
    }

    private func hopDraft(_ input: RuleInput, from previous: Sighting, to country: String, gap: Int64) -> AlertDraft {
        let limit = MonitorClock.secondsText(windowMilliseconds)
        return draft(
            [previous.id.text, input.transaction.id],
            "transactions in \(previous.country) and \(country) \(MonitorClock.secondsText(gap)) s apart (limit: \(limit) s)"
        )
    }
}
