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

    /// The account's latest transaction with a country, by event time.
    struct State: Sendable {
        var last: (country: String, time: Int64, id: String)?
    }

    init(_ configuration: AlertRulesConfiguration.CountryHop) {
        severity = configuration.severity
        windowMilliseconds = Int64((configuration.windowSeconds * 1000).rounded())
    }

    func evaluate(_ input: RuleInput, state: inout State) -> AlertDraft? {
        guard let country = input.transaction.country else { return nil }
        let previous = state.last
        if previous == nil || input.eventTime >= previous!.time {
            state.last = (country, input.eventTime, input.transaction.id)
        }
        guard let previous, previous.country != country,
              abs(input.eventTime - previous.time) <= windowMilliseconds else { return nil }
        let gap = MonitorClock.secondsText(abs(input.eventTime - previous.time))
        return draft([previous.id, input.transaction.id],
                     "transactions in \(previous.country) and \(country) \(gap) s apart (limit: \(MonitorClock.secondsText(windowMilliseconds)) s)")
    }
}
