/// Maps up to `capacity` distinct names (currencies, countries) to small dense slot numbers.
///
/// Names beyond the capacity all share `overflowSlot`, reported as "other": that is what keeps
/// per-name arrays, and so memory, bounded whatever values the traffic carries. Slots are handed
/// out first come, first served and never recycled, so a slot always means the same name
/// (histograms already recorded under it stay meaningful).
struct BoundedInterner: Sendable {
    let capacity: Int
    private var slots: [String: Int] = [:]
    private(set) var names: [String] = []

    init(capacity: Int) {
        precondition(capacity >= 0, "interner capacity must not be negative")
        self.capacity = capacity
    }

    var overflowSlot: Int { capacity }

    mutating func slot(for name: String) -> Int {
        if let slot = slots[name] { return slot }
        guard names.count < capacity else { return overflowSlot }
        slots[name] = names.count
        names.append(name)
        return names.count - 1
    }

    /// The name of a slot, nil for the overflow slot.
    func name(of slot: Int) -> String? {
        slot < names.count ? names[slot] : nil
    }
}
