/// Per-account rule state for at most `capacity` accounts, evicting the least recently seen.
///
/// An LRU list threaded through a slab of entries by index (no per-access allocation, O(1)
/// lookup, move-to-front and eviction). An evicted account starts over with empty state if it
/// comes back: its velocity burst, mean and recent charges are forgotten.
struct AccountTable: Sendable {
    let capacity: Int
    private var slots: [String: Int32] = [:]
    private var entries: [Entry] = []
    /// Most and least recently seen entries; -1 when empty.
    private var newest: Int32 = -1
    private var oldest: Int32 = -1
    private(set) var evictions = 0

    private struct Entry: Sendable {
        var account: String
        var state: AccountState
        var newer: Int32 = -1
        var older: Int32 = -1
    }

    init(capacity: Int) {
        precondition(capacity > 0 && capacity < Int(Int32.max), "account capacity must be in 1..<2^31")
        self.capacity = capacity
    }

    var count: Int { slots.count }

    /// Runs `body` on the account's state (created empty if absent) and marks it most recent.
    mutating func withState<Result>(of account: String, _ body: (inout AccountState) -> Result) -> Result {
        let slot = slots[account].map { touch($0) } ?? insert(account)
        return body(&entries[Int(slot)].state)
    }

    /// The state of an account if tracked, without marking it seen (for tests and inspection).
    func state(of account: String) -> AccountState? {
        slots[account].map { entries[Int($0)].state }
    }

    /// Every account with its state, least recently seen first: inserting them in this order into
    /// an empty table rebuilds the same recency order (how a checkpoint is restored).
    func forEachOldestFirst(_ body: (String, AccountState) -> Void) {
        var slot = oldest
        while slot >= 0 {
            body(entries[Int(slot)].account, entries[Int(slot)].state)
            slot = entries[Int(slot)].newer
        }
    }

    private mutating func touch(_ slot: Int32) -> Int32 {
        guard slot != newest else { return slot }
        unlink(slot)
        linkAsNewest(slot)
        return slot
    }

    private mutating func insert(_ account: String) -> Int32 {
        let slot: Int32
        if slots.count == capacity {
            slot = oldest
            unlink(slot)
            slots[entries[Int(slot)].account] = nil
            entries[Int(slot)] = Entry(account: account, state: AccountState())
            evictions += 1
        } else {
            slot = Int32(entries.count)
            entries.append(Entry(account: account, state: AccountState()))
        }
        slots[account] = slot
        linkAsNewest(slot)
        return slot
    }

    private mutating func unlink(_ slot: Int32) {
        let (newer, older) = (entries[Int(slot)].newer, entries[Int(slot)].older)
        if newer >= 0 { entries[Int(newer)].older = older } else { newest = older }
        if older >= 0 { entries[Int(older)].newer = newer } else { oldest = newer }
        entries[Int(slot)].newer = -1
        entries[Int(slot)].older = -1
    }

    private mutating func linkAsNewest(_ slot: Int32) {
        entries[Int(slot)].older = newest
        entries[Int(slot)].newer = -1
        if newest >= 0 { entries[Int(newest)].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
