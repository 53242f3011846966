/// Per-account rule state in memory for at most `capacity` accounts, evicting the least
/// recently seen.
///
/// An LRU list threaded through a slab of entries by index (no per-access allocation, O(1)
/// lookup, move-to-front and eviction). With a `backing` store (the gateway's partition stores),
/// the table is a cache: an evicted account that changed since the last flush waits in `spilled`
/// until the flush writes it, and an account not in memory is read back from the store, so no
/// account is forgotten. Without one (tests, benchmarks), an evicted account starts over with
/// empty state if it comes back.
struct AccountTable: Sendable {
    private(set) var capacity: Int
    private var slots: [String: Int32] = [:]
    private var entries: [Entry] = []
    /// Most and least recently seen entries; -1 when empty.
    private var newest: Int32 = -1
    private var oldest: Int32 = -1
    private(set) var evictions = 0
    /// Accounts read back from `backing` (cache misses that found a stored state).
    private(set) var loads = 0
    /// Where accounts not in memory live; nil: nowhere (evicted means forgotten).
    var backing: (any AccountBacking)?
    /// Slots changed since the last `drainChanges`, each listed once.
    private var dirtySlots: [Int32] = []
    /// Changed accounts evicted before the flush that writes them.
    private var spilled: [String: AccountState] = [:]
    /// Slots emptied by a shrinking `resize`, reused before the slab grows.
    private var freeSlots: [Int32] = []
    /// States read from `backing` before the monitor's lock was taken (`prefetch`), each used at
    /// most once: nil inside means the store had none.
    private var prefetched: [String: AccountState?] = [:]

    private struct Entry: Sendable {
        var account: String
        var state: AccountState
        var newer: Int32 = -1
        var older: Int32 = -1
        var dirty = false
    }

    init(capacity: Int) {
        precondition(capacity > 0 && capacity < Int(Int32.max), "account capacity must be in 1..<2^31")
        self.capacity = capacity
    }

    var count: Int { slots.count }

    /// Runs `body` on the account's state (read back from the backing store, or created empty, if
    /// not in memory), marks it most recent and changed.
    mutating func withState<Result>(of account: String, _ body: (inout AccountState) -> Result) -> Result {
        let slot = slots[account].map { touch($0) } ?? insert(account)
        // Changes are tracked only for a flush to the backing store; without one nothing drains them.
        if backing != nil, !entries[Int(slot)].dirty {
            entries[Int(slot)].dirty = true
            dirtySlots.append(slot)
        }
        return body(&entries[Int(slot)].state)
    }

    /// The accounts changed since the last call, with their states; they count as written after it.
    mutating func drainChanges() -> [(account: String, state: AccountState)] {
        var changes = spilled.map { (account: $0.key, state: $0.value) }
        changes.reserveCapacity(changes.count + dirtySlots.count)
        for slot in dirtySlots where entries[Int(slot)].dirty {
            entries[Int(slot)].dirty = false
            changes.append((entries[Int(slot)].account, entries[Int(slot)].state))
        }
        dirtySlots.removeAll(keepingCapacity: true)
        spilled.removeAll()
        return changes
    }

    /// Of `accounts`, those a `withState` would have to read back from the backing store (not in
    /// memory, not waiting to be written); empty without a backing store.
    func missing(_ accounts: some Sequence<String>) -> [String] {
        guard backing != nil else { return [] }
        return accounts.filter { slots[$0] == nil && spilled[$0] == nil }
    }

    /// Hands over states read from the backing store outside the monitor's lock (`missing`, then
    /// `AccountBacking.state(of:)`), so that a cache miss costs no store read under the lock. Only
    /// the thread that applies this partition's records writes its store, so they cannot be stale
    /// when handed over; each is used once, since the account may be evicted and written again
    /// before it comes back. `endPrefetch` drops those not used.
    mutating func prefetch(_ states: [String: AccountState?]) {
        prefetched = states
    }

    mutating func endPrefetch() {
        if !prefetched.isEmpty { prefetched = [:] }
    }

    /// Changes the bound, evicting the least recently seen accounts beyond it.
    mutating func resize(to newCapacity: Int) {
        capacity = max(1, newCapacity)
        while slots.count > capacity { evictOldest(reusingFor: nil) }
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
        // A spilled account is still to be written: it goes back to memory as changed.
        let spilledState = spilled.removeValue(forKey: account)
        let wasSpilled = spilledState != nil
        let restored = spilledState ?? loadFromBacking(account)
        let slot: Int32
        if slots.count >= capacity, let reused = evictOldest(reusingFor: account) {
            slot = reused
            entries[Int(slot)] = Entry(account: account, state: restored)
        } else if let free = freeSlots.popLast() {
            slot = free
            entries[Int(slot)] = Entry(account: account, state: restored)
        } else {
            slot = Int32(entries.count)
            entries.append(Entry(account: account, state: restored))
        }
        slots[account] = slot
        linkAsNewest(slot)
        if wasSpilled {
            entries[Int(slot)].dirty = true
            dirtySlots.append(slot)
        }
        return slot
    }

    private mutating func loadFromBacking(_ account: String) -> AccountState {
        let stored: AccountState?
        if let read = prefetched.removeValue(forKey: account) {
            stored = read
        } else {
            stored = backing?.state(of: account)
        }
        guard let state = stored else { return AccountState() }
        loads += 1
        return state
    }

    /// Evicts the least recently seen account (spilling it if changed and backed); returns its slot
    /// for reuse, or nil when the table is empty. A slot freed by a shrinking `resize` goes to
    /// `freeSlots`.
    @discardableResult
    private mutating func evictOldest(reusingFor account: String?) -> Int32? {
        guard oldest >= 0 else { return nil }
        let slot = oldest
        unlink(slot)
        let entry = entries[Int(slot)]
        slots[entry.account] = nil
        if entry.dirty, let backing {
            spilled[entry.account] = entry.state
            // Changed accounts evicted between two flushes would otherwise pile up in memory: past a
            // bound they go to the store ahead of the flush.
            if spilled.count >= max(256, capacity / 16), backing.spill(spilled) { spilled.removeAll() }
        }
        entries[Int(slot)].dirty = false
        entries[Int(slot)].state = AccountState()
        evictions += 1
        if account == nil { freeSlots.append(slot) }
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

/// Where an `AccountTable` reads back accounts that are not in memory, and writes changed ones it
/// had to evict before the next flush.
protocol AccountBacking: Sendable {
    func state(of account: String) -> AccountState?
    /// The states of several accounts (nil inside: none stored), read together where the store can
    /// do that more cheaply than one read each.
    func states(of accounts: [String]) -> [String: AccountState?]
    /// Returns false when they could not be written (the table then keeps them in memory).
    func spill(_ accounts: [String: AccountState]) -> Bool
}

extension AccountBacking {
    func states(of accounts: [String]) -> [String: AccountState?] {
        var states: [String: AccountState?] = [:]
        states.reserveCapacity(accounts.count)
        for account in accounts { states[account] = .some(state(of: account)) }
        return states
    }
}
