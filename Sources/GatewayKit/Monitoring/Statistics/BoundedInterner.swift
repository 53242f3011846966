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
    /// Slot + 1 (0: not yet seen) of each 1-3 letter upper-case code, indexed by `codeIndex`.
    /// Currency and country codes are such codes, and an array read is several times cheaper
    /// than hashing a string on the per-record path.
    private var codeSlots = [Int16](repeating: 0, count: 27 * 27 * 27)

    init(capacity: Int) {
        precondition(capacity >= 0 && capacity < Int(Int16.max), "interner capacity must be in 0..<32767")
        self.capacity = capacity
    }

    var overflowSlot: Int { capacity }

    mutating func slot(for name: String) -> Int {
        guard let code = Self.codeIndex(name) else { return slotByHashing(name) }
        if codeSlots[code] != 0 { return Int(codeSlots[code]) - 1 }
        let slot = slotByHashing(name)
        if slot != overflowSlot { codeSlots[code] = Int16(slot + 1) }
        return slot
    }

    /// The name of a slot, nil for the overflow slot.
    func name(of slot: Int) -> String? {
        slot < names.count ? names[slot] : nil
    }

    private mutating func slotByHashing(_ name: String) -> Int {
        if let slot = slots[name] { return slot }
        guard names.count < capacity else { return overflowSlot }
        slots[name] = names.count
        names.append(name)
        return names.count - 1
    }

    /// A dense index for "A" ... "ZZZ" (letters as 1...26, base 27), nil for any other name.
    private static func codeIndex(_ name: String) -> Int? {
        var index = 0
        var length = 0
        for byte in name.utf8 {
            length += 1
            guard length <= 3, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { return nil }
            index = index * 27 + Int(byte - UInt8(ascii: "A") + 1)
        }
        return length == 0 ? nil : index
    }
}
