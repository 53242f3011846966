/// A country transactions happen in: ISO 3166-1 alpha-2 code, its ISO 4217 currency, and how
/// many local currency units make one US dollar (to turn dollar-denominated category amounts
/// into plausible local amounts).
///
/// Only currencies with two minor digits and a modest exchange rate are used: the gateway's
/// `high_amount` rule is a flat 10 000 in the transaction's own currency, so a currency like
/// JPY or CLP would make ordinary purchases look like fraud.
struct Country: Sendable, Hashable {
    let code: String
    let currency: String
    let unitsPerUSD: Double
    /// Share of accounts (and merchants) that live here.
    let weight: Double

    /// Brazil's instant payments exist only in BRL.
    var hasPix: Bool { code == "BR" }

    static let all: [Country] = [
        Country(code: "BR", currency: "BRL", unitsPerUSD: 5.0, weight: 30),
        Country(code: "US", currency: "USD", unitsPerUSD: 1.0, weight: 15),
        Country(code: "MX", currency: "MXN", unitsPerUSD: 17.0, weight: 6),
        Country(code: "PT", currency: "EUR", unitsPerUSD: 0.92, weight: 3),
        Country(code: "ES", currency: "EUR", unitsPerUSD: 0.92, weight: 4),
        Country(code: "DE", currency: "EUR", unitsPerUSD: 0.92, weight: 5),
        Country(code: "FR", currency: "EUR", unitsPerUSD: 0.92, weight: 4),
        Country(code: "IT", currency: "EUR", unitsPerUSD: 0.92, weight: 3),
        Country(code: "NL", currency: "EUR", unitsPerUSD: 0.92, weight: 2),
        Country(code: "GB", currency: "GBP", unitsPerUSD: 0.79, weight: 5),
        Country(code: "CA", currency: "CAD", unitsPerUSD: 1.36, weight: 4),
        Country(code: "AU", currency: "AUD", unitsPerUSD: 1.52, weight: 3),
        Country(code: "CH", currency: "CHF", unitsPerUSD: 0.88, weight: 2),
        Country(code: "PL", currency: "PLN", unitsPerUSD: 4.0, weight: 2),
        Country(code: "SE", currency: "SEK", unitsPerUSD: 10.5, weight: 2),
    ]
}
