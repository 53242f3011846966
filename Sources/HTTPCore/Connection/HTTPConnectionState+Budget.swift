/// The connection's share of the server's request budget (`RequestBufferBudget`): room is reserved
/// before bytes are read, reads never go past it, and it is released when the request the bytes
/// belong to is answered or the connection closes. A request in a handler's hands keeps its bytes
/// reserved, since the handler holds its body until it answers.
extension HTTPConnectionState {
    struct BudgetShare {
        /// Bytes reserved from `context.requestBudget`.
        var reserved = 0
        /// How many of them reads have filled since the last answered request.
        var filled = 0
        /// Bytes wait to be read and the budget had no room for them: the loop resumes the connection
        /// when some is released (`RequestBufferBudget`).
        var starved = false
    }

    var starvedForBudget: Bool { budget.starved }

    /// Reserved room not yet filled: the most the next read may take.
    var readAllowance: Int { budget.reserved - budget.filled }

    /// What a read outside a body of known length may take: a head, pipelined requests, chunked
    /// data. Small, so that a connection that has read a head and waits for room for its body holds
    /// little (a single POST of a few hundred bytes still comes in one read).
    static let partialReadBytes = 4096

    /// Makes room for the next read. A body of known length reserves all it still expects at once
    /// (and the parser then allocates it whole); anything else `partialReadBytes`. False (and `budget.starved`) when the budget has no room:
    /// the bytes stay in the kernel, TCP flow control holds the client back, and the loop calls again
    /// when room is released.
    mutating func reserveReadBudget() -> Bool {
        let pool = context.requestBudget
        let granted: Bool
        if let body = parser.remainingFixedBodyBytes {
            let needed = body - readAllowance
            granted = needed <= 0 || pool.reserveWhole(needed)
            if granted, needed > 0 {
                budget.reserved += needed
                parser.reserveBodyCapacity()
            }
        } else if readAllowance > 0 {
            granted = true
        } else {
            granted = pool.reservePartial(Self.partialReadBytes)
            if granted { budget.reserved += Self.partialReadBytes }
        }
        budget.starved = !granted
        return granted
    }

    /// After a read: counts what it filled, and gives back the unfilled part of a partial
    /// reservation (a body's stays: it is exactly what the body still needs).
    mutating func filled(_ count: Int) {
        budget.filled += count
        if parser.remainingFixedBodyBytes == nil {
            context.requestBudget.release(readAllowance)
            budget.reserved = budget.filled
        }
    }

    /// The request in flight was answered: its bytes go back. Bytes read past it (pipelined requests,
    /// not parsed yet) stay reserved.
    mutating func releaseAnsweredBudget() {
        let kept = inputEnd - inputStart
        context.requestBudget.release(budget.reserved - kept)
        budget.reserved = kept
        budget.filled = kept
    }

    /// Everything back: the connection closes or will parse nothing more.
    mutating func releaseBudget() {
        context.requestBudget.release(budget.reserved)
        budget.reserved = 0
        budget.filled = 0
        budget.starved = false
    }
}
