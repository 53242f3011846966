/// The simulated world: accounts with home countries and spending profiles, and merchants with
/// categories in every country. Built once from a seed; read-only afterwards.
struct Population: Sendable {
    static let defaultAccountCount = 10_000
    static let defaultMerchantCount = 2_000

    let accounts: [Account]
    let merchants: [Merchant]
    /// Width of the zero-padded number in account ids, shared with the fraud accounts.
    let accountIDWidth: Int
    private let accountPicker: WeightedIndex
    private let countryPicker: WeightedIndex
    /// merchantsByPlace[country][category] -> indexes into `merchants` (never empty).
    private let merchantsByPlace: [[[Int]]]

    init(
        accountCount: Int = defaultAccountCount,
        merchantCount: Int = defaultMerchantCount,
        rng parent: SeededGenerator
    ) {
        precondition(accountCount > 0, "a population needs accounts")
        var rng = parent.derived(0xACC0)
        let countries = Country.all
        let categories = MerchantCategory.all
        let countryPicker = WeightedIndex(weights: countries.map(\.weight))
        let profilePicker = WeightedIndex(weights: SpendingProfile.all.map(\.weight))
        accountIDWidth = max(6, String(accountCount * 2).count)

        var accounts: [Account] = []
        accounts.reserveCapacity(accountCount)
        for number in 0..<accountCount {
            accounts.append(
                Account(
                    id: Population.accountID(number: number, width: accountIDWidth),
                    homeCountry: countryPicker.draw(using: &rng),
                    profile: profilePicker.draw(using: &rng),
                    spendingLevel: min(3.0, max(0.35, rng.logNormal(median: 1.0, sigma: 0.45))),
                    // A few heavy users, many occasional ones.
                    activity: min(8.0, rng.logNormal(median: 1.0, sigma: 0.8))
                )
            )
        }

        // One merchant for every (country, category) first, so every purchase has somewhere to go;
        // the rest by country weight and a category popularity that follows the profiles.
        var merchants: [Merchant] = []
        let places = countries.count * categories.count
        let total = max(merchantCount, places)
        let width = max(5, String(total).count)
        var byPlace = Array(repeating: Array(repeating: [Int](), count: categories.count), count: countries.count)
        var categoryWeights = Array(repeating: 0.0, count: categories.count)
        for profile in SpendingProfile.all {
            let sum = profile.categories.reduce(0) { $0 + $1.1 }
            for (category, weight) in profile.categories { categoryWeights[category] += profile.weight * weight / sum }
        }
        let categoryPicker = WeightedIndex(weights: categoryWeights)
        for number in 0..<total {
            let country: Int
            let category: Int
            if number < places {
                country = number / categories.count
                category = number % categories.count
            } else {
                country = countryPicker.draw(using: &rng)
                category = categoryPicker.draw(using: &rng)
            }
            byPlace[country][category].append(merchants.count)
            merchants.append(
                Merchant(
                    id: "m-" + Population.padded(number, width: width),
                    category: category,
                    country: country
                )
            )
        }

        self.accounts = accounts
        self.merchants = merchants
        self.merchantsByPlace = byPlace
        self.accountPicker = WeightedIndex(weights: accounts.map(\.activity))
        self.countryPicker = countryPicker
    }

    /// Next account to transact, by activity.
    func drawAccount(using rng: inout SeededGenerator) -> Int { accountPicker.draw(using: &rng) }

    /// A country by population weight, optionally different from `excluding`.
    func drawCountry(excluding: Int? = nil, using rng: inout SeededGenerator) -> Int {
        while true {
            let country = countryPicker.draw(using: &rng)
            if country != excluding { return country }
        }
    }

    /// A merchant of `category` in `country`.
    func drawMerchant(country: Int, category: Int, using rng: inout SeededGenerator) -> Int {
        let candidates = merchantsByPlace[country][category]
        return candidates[rng.below(candidates.count)]
    }

    /// Account ids look alike for normal and injected accounts ("acc-004217").
    func accountID(number: Int) -> String { Population.accountID(number: number, width: accountIDWidth) }

    static func accountID(number: Int, width: Int) -> String { "acc-" + padded(number, width: width) }

    static func padded(_ number: Int, width: Int) -> String {
        let digits = String(number)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
