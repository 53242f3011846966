/// A merchant category (ISO 18245 MCC) with its typical ticket and the channels it is paid through.
///
/// Amounts are log-normal: `medianUSD` is e^mu (in US dollars, converted to local currency by
/// `Country.unitsPerUSD`) and `sigma` its shape. Channel weights are relative; `pix` is dropped
/// outside Brazil.
struct MerchantCategory: Sendable {
    let mcc: String
    let name: String
    let medianUSD: Double
    let sigma: Double
    let channels: [(Channel, Double)]
    /// Cash withdrawals come in round amounts.
    var roundsToTens: Bool { mcc == "6011" }

    static let all: [MerchantCategory] = [
        MerchantCategory(
            mcc: "5411",
            name: "grocery",
            medianUSD: 45,
            sigma: 0.6,
            channels: [(.cardPresent, 70), (.cardNotPresent, 10), (.pix, 20)]
        ),
        MerchantCategory(
            mcc: "5812",
            name: "restaurant",
            medianUSD: 30,
            sigma: 0.5,
            channels: [(.cardPresent, 85), (.cardNotPresent, 5), (.pix, 10)]
        ),
        MerchantCategory(
            mcc: "5814",
            name: "fast food",
            medianUSD: 12,
            sigma: 0.45,
            channels: [(.cardPresent, 80), (.cardNotPresent, 10), (.pix, 10)]
        ),
        MerchantCategory(
            mcc: "5541",
            name: "fuel",
            medianUSD: 40,
            sigma: 0.4,
            channels: [(.cardPresent, 90), (.pix, 10)]
        ),
        MerchantCategory(
            mcc: "5912",
            name: "pharmacy",
            medianUSD: 20,
            sigma: 0.6,
            channels: [(.cardPresent, 75), (.cardNotPresent, 10), (.pix, 15)]
        ),
        MerchantCategory(
            mcc: "5311",
            name: "department store",
            medianUSD: 70,
            sigma: 0.7,
            channels: [(.cardPresent, 60), (.cardNotPresent, 30), (.pix, 10)]
        ),
        MerchantCategory(
            mcc: "5651",
            name: "clothing",
            medianUSD: 60,
            sigma: 0.6,
            channels: [(.cardPresent, 60), (.cardNotPresent, 35), (.pix, 5)]
        ),
        MerchantCategory(
            mcc: "5732",
            name: "electronics",
            medianUSD: 180,
            sigma: 0.7,
            channels: [(.cardPresent, 40), (.cardNotPresent, 50), (.pix, 10)]
        ),
        MerchantCategory(
            mcc: "4121",
            name: "taxi",
            medianUSD: 15,
            sigma: 0.5,
            channels: [(.cardNotPresent, 80), (.cardPresent, 15), (.pix, 5)]
        ),
        MerchantCategory(
            mcc: "4814",
            name: "telecom",
            medianUSD: 40,
            sigma: 0.3,
            channels: [(.cardNotPresent, 70), (.transfer, 10), (.pix, 20)]
        ),
        MerchantCategory(
            mcc: "5999",
            name: "misc retail",
            medianUSD: 35,
            sigma: 0.8,
            channels: [(.cardPresent, 50), (.cardNotPresent, 40), (.other, 5), (.pix, 5)]
        ),
        MerchantCategory(
            mcc: "6011",
            name: "ATM",
            medianUSD: 100,
            sigma: 0.5,
            channels: [(.atm, 100)]
        ),
        MerchantCategory(
            mcc: "4829",
            name: "money transfer",
            medianUSD: 150,
            sigma: 0.9,
            channels: [(.transfer, 70), (.pix, 30)]
        ),
        MerchantCategory(
            mcc: "7011",
            name: "hotel",
            medianUSD: 150,
            sigma: 0.6,
            channels: [(.cardPresent, 50), (.cardNotPresent, 50)]
        ),
        MerchantCategory(
            mcc: "4511",
            name: "airline",
            medianUSD: 300,
            sigma: 0.6,
            channels: [(.cardNotPresent, 95), (.other, 5)]
        ),
        MerchantCategory(
            mcc: "5815",
            name: "digital goods",
            medianUSD: 10,
            sigma: 0.6,
            channels: [(.cardNotPresent, 95), (.other, 5)]
        ),
    ]

    static func index(ofMCC mcc: String) -> Int {
        guard let index = all.firstIndex(where: { $0.mcc == mcc }) else {
            preconditionFailure("unknown MCC \(mcc) in a spending profile")
        }
        return index
    }

    /// Draws a channel, leaving out `pix` where it does not exist.
    func channel(in country: Country, using rng: inout SeededGenerator) -> Channel {
        rng.pick(from: country.hasPix ? channels : channels.filter { $0.0 != .pix })
    }
}
