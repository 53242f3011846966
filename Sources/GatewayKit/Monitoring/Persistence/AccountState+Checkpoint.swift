extension AccountTable {
    /// Accounts least recently seen first, so that `init(checkpoint:)` rebuilds the same recency
    /// order by inserting them one after the other.
    func write(to writer: inout StateWriter) {
        writer.count(count)
        forEachOldestFirst { account, state in
            writer.string(account)
            state.write(to: &writer)
        }
    }

    /// Accounts beyond `capacity` (a smaller --max-accounts than the writer's) evict the least
    /// recently seen, as live traffic would.
    init(checkpoint reader: inout StateReader, capacity: Int) throws(StateFormatError) {
        self.init(capacity: capacity)
        for _ in 0..<(try reader.count()) {
            let account = try reader.string()
            let state = try AccountState(checkpoint: &reader)
            withState(of: account) { $0 = state }
        }
    }
}

extension AccountState {
    func write(to writer: inout StateWriter) {
        writer.count(velocity.recent.count)
        for event in velocity.recent {
            writer.signed(event.time)
            event.id.write(to: &writer)
        }
        writer.bool(velocity.inBurst)
        writer.optional(amountSpike.currency) { $0.string($1) }
        writer.varint(amountSpike.count)
        writer.wide(amountSpike.sumTenThousandths)
        writer.optional(countryHop.last) { writer, last in
            writer.string(last.country)
            writer.signed(last.time)
            last.id.write(to: &writer)
        }
        writer.signed(duplicateCharge.newest)
        writer.count(duplicateCharge.recent.count)
        for charge in duplicateCharge.recent {
            writer.word(UInt64(bitPattern: Int64(charge.merchant)))
            writer.varint(charge.tenThousandths)
            writer.signed(charge.time)
            charge.id.write(to: &writer)
        }
        guard writer.version >= 2 else { return }
        writer.count(alertRate.count)
        for budget in alertRate {
            writer.string(budget.rule.rawValue)
            writer.signed(budget.periodStart)
            writer.count(budget.passed)
            writer.count(budget.suppressed)
        }
    }

    init(checkpoint reader: inout StateReader) throws(StateFormatError) {
        self.init()
        for _ in 0..<(try reader.count(limit: 1000)) {
            let time = try reader.signed()
            velocity.recent.append((time, try CompactTransactionID(checkpoint: &reader)))
        }
        velocity.inBurst = try reader.bool()
        amountSpike.currency = try reader.optional { reader throws(StateFormatError) in try reader.string() }
        amountSpike.count = try reader.varint()
        amountSpike.sumTenThousandths = try reader.wide()
        countryHop.last = try reader.optional { reader throws(StateFormatError) in
            let country = try reader.string()
            let time = try reader.signed()
            return (country, time, try CompactTransactionID(checkpoint: &reader))
        }
        duplicateCharge.newest = try reader.signed()
        for _ in 0..<(try reader.count(limit: DuplicateChargeRule.maxRemembered)) {
            let merchant = Int(Int64(bitPattern: try reader.word()))
            let amount = try reader.varint()
            let time = try reader.signed()
            duplicateCharge.recent.append(
                .init(
                    merchant: merchant,
                    tenThousandths: amount,
                    time: time,
                    id: try CompactTransactionID(checkpoint: &reader)
                )
            )
        }
        if reader.version >= 2 { alertRate = try Self.alertRate(checkpoint: &reader) }
    }

    /// Rules by name, so that a checkpoint survives rules being added or reordered.
    private static func alertRate(checkpoint reader: inout StateReader) throws(StateFormatError) -> AlertRateLimit.State
    {
        var budgets = AlertRateLimit.State()
        for _ in 0..<(try reader.count(limit: AlertRuleName.allCases.count)) {
            let name = try reader.string()
            guard let rule = AlertRuleName(rawValue: name) else { throw .malformed("alert rule \(name)") }
            budgets.append(
                .init(
                    rule: rule,
                    periodStart: try reader.signed(),
                    passed: try reader.count(),
                    suppressed: try reader.count()
                )
            )
        }
        return budgets
    }
}

extension CompactTransactionID {
    /// A tag (0: lower-case UUID, 1: upper-case UUID, 2: text), then 16 bytes or the text.
    func write(to writer: inout StateWriter) {
        switch self {
        case .uuid(let high, let low, let uppercase):
            writer.bool(uppercase)
            writer.word(high)
            writer.word(low)
        case .text(let text):
            writer.raw([2])
            writer.string(text)
        }
    }

    init(checkpoint reader: inout StateReader) throws(StateFormatError) {
        let tag = try reader.raw(count: 1)[0]
        switch tag {
        case 0, 1:
            self = .uuid(high: try reader.word(), low: try reader.word(), uppercase: tag == 1)
        case 2:
            self = .text(try reader.string())
        default:
            throw .malformed("transaction id tag \(tag)")
        }
    }
}
