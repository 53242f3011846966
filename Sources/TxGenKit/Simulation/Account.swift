/// A cardholder account of the simulated population.
struct Account: Sendable {
    let id: String
    /// Index into `Country.all`: where the account lives and (in normal traffic) always spends.
    let homeCountry: Int
    /// Index into `SpendingProfile.all`.
    let profile: Int
    /// Multiplies every category's median ticket: 1 is an average spender.
    let spendingLevel: Double
    /// Relative chance of being the next account to transact.
    let activity: Double
}
