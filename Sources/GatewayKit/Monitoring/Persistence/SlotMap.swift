/// Maps the currency and country slots of one `BoundedInterner` pair (a checkpoint's, another
/// partition's) to another's, by name: each partition interns names first come, first served,
/// so "USD" may be slot 0 in one partition and slot 3 in the next.
struct SlotMap {
    /// Nil: slots map to themselves (`identity`).
    private var currencies: [Int]?
    private var currencyOverflow: Int
    private var countries: [Int]?
    private var countryOverflow: Int

    /// Keeps every slot as it is: for reading an aggregate that is mapped later, by name.
    static let identity = SlotMap()

    private init() {
        currencies = nil
        currencyOverflow = 0
        countries = nil
        countryOverflow = 0
    }

    /// `names` are the source's slot names in slot order; names beyond the target's capacity
    /// land in its overflow slot ("other"), as do the source's own overflow slots.
    init(
        currencyNames: [String],
        countryNames: [String],
        into currencies: inout BoundedInterner,
        _ countries: inout BoundedInterner
    ) {
        self.currencies = currencyNames.map { currencies.slot(for: $0) }
        currencyOverflow = currencies.overflowSlot
        self.countries = countryNames.map { countries.slot(for: $0) }
        countryOverflow = countries.overflowSlot
    }

    func currency(_ slot: Int) -> Int {
        guard let currencies else { return slot }
        return slot < currencies.count ? currencies[slot] : currencyOverflow
    }

    func country(_ slot: Int) -> Int {
        guard let countries else { return slot }
        return slot < countries.count ? countries[slot] : countryOverflow
    }
}
