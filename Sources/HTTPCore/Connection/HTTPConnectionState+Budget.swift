/// The connection's share of the server's request budget (`RequestBufferBudget`): room is reserved
/// before bytes are read, reads never go past it, and it is released when the request the bytes
/// belong to is answered or the connection closes. A request in a handler's hands keeps its bytes
/// reserved, since the handler holds its body until it answers.
extension HTTPConnectionState {
    /// Reserved room not yet filled: the most the next read may take.
    var readAllowance: Int { budgetReserved - budgetFilled }

    /// What a read outside a body of known length may take: a head, pipelined requests, chunked
    /// data. Small, so that a connection that has read a head and waits for room for its body holds
    /// little (a single POST of a few hundred bytes still comes in one read).
    static let partialReadBytes = 4096

    /// Makes room for the next read. A body of known length reserves all it still expects at once
    /// (and the parser then allocates it whole); anything else `partialReadBytes`. False (and `starvedForBudget`) when the budget has no room:
    /// the bytes stay in the kernel, TCP flow control holds the client back, and the loop calls again
    /// when room is released.
    mutating func reserveReadBudget() -> Bool {
        let budget = context.requestBudget
        let granted: Bool
        if let body = parser.remainingFixedBodyBytes {
            let needed = body - readAllowance
            granted = needed <= 0 || budget.reserveWhole(needed)
            if granted, needed > 0 {
                budgetReserved += needed
                parser.reserveBodyCapacity()
            }
        } else if readAllowance > 0 {
            granted = true
        } else {
            granted = budget.reservePartial(Self.partialReadBytes)
            if granted { budgetReserved += Self.partialReadBytes }
        }
        starvedForBudget = !granted
        return granted
    }

    /// After a read: counts what it filled, and gives back the unfilled part of a partial
    /// reservation (a body's stays: it is exactly what the body still needs).
    mutating func filled(_ count: Int) {
        budgetFilled += count
        if parser.remainingFixedBodyBytes == nil {
            context.requestBudget.release(readAllowance)
            budgetReserved = budgetFilled
        }
    }

    /// The request in flight was answered: its bytes go back. Bytes read past it (pipelined requests,
    /// not parsed yet) stay reserved.
    mutating func releaseAnsweredBudget() {
        let kept = inputEnd - inputStart
        context.requestBudget.release(budgetReserved - kept)
        budgetReserved = kept
        budgetFilled = kept
    }

    /// Everything back: the connection closes or will parse nothing more.
    mutating func releaseBudget() {
        context.requestBudget.release(budgetReserved)
        budgetReserved = 0
        budgetFilled = 0
        starvedForBudget = false
    }
}
