/// What kind of spender an account is: which merchant categories it buys from, and how often.
struct SpendingProfile: Sendable {
    let name: String
    /// Share of accounts with this profile.
    let weight: Double
    /// (index into `MerchantCategory.all`, relative weight).
    let categories: [(Int, Double)]

    init(name: String, weight: Double, categories: [(String, Double)]) {
        self.name = name
        self.weight = weight
        self.categories = categories.map { (MerchantCategory.index(ofMCC: $0.0), $0.1) }
    }

    func category(using rng: inout SeededGenerator) -> Int { rng.pick(from: categories) }

    static let all: [SpendingProfile] = [
        SpendingProfile(
            name: "everyday",
            weight: 45,
            categories: [
                ("5411", 30), ("5812", 15), ("5814", 15), ("5541", 10), ("5912", 8),
                ("4121", 8), ("4814", 4), ("5999", 5), ("5815", 5),
            ]
        ),
        SpendingProfile(
            name: "shopper",
            weight: 25,
            categories: [
                ("5411", 20), ("5812", 10), ("5311", 12), ("5651", 12), ("5732", 6),
                ("5999", 10), ("5815", 8), ("4121", 6), ("5912", 6), ("5814", 10),
            ]
        ),
        SpendingProfile(
            name: "traveller",
            weight: 10,
            categories: [
                ("5812", 20), ("7011", 12), ("4511", 6), ("4121", 15), ("5411", 10),
                ("5814", 10), ("5999", 7), ("5541", 5), ("5732", 3), ("5311", 5),
            ]
        ),
        SpendingProfile(
            name: "cash",
            weight: 20,
            categories: [
                ("6011", 25), ("4829", 15), ("5411", 30), ("5814", 15), ("5541", 10), ("5912", 5),
            ]
        ),
    ]
}
