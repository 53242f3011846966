/// The transaction stream: normal traffic from `TransactionFactory` with fraud patterns from
/// `FraudInjector` woven in, on a simulated event clock that advances one step per transaction.
struct TransactionStream: Sequence, IteratorProtocol, Sendable {
    let configuration: StreamConfiguration
    let population: Population
    let idPrefix: String
    private(set) var position = 0
    private var clock: Int64
    private var factory: TransactionFactory
    private(set) var injector: FraudInjector
    private var rng: SeededGenerator

    init(_ configuration: StreamConfiguration) {
        self.configuration = configuration
        let root = SeededGenerator(seed: configuration.seed)
        population = Population(
            accountCount: configuration.accountCount,
            merchantCount: configuration.merchantCount,
            rng: root
        )
        factory = TransactionFactory(population: population)
        injector = FraudInjector(share: configuration.fraudShare, population: population, rng: root)
        rng = root.derived(0x7A5)
        var tokenSource = root.derived(0x1D)
        idPrefix =
            configuration.idPrefix ?? "tx-" + String(tokenSource.next() & 0xFF_FFFF | 0x100_0000, radix: 16).dropFirst()
        clock = configuration.startMillis
    }

    /// Transactions left in a bounded stream.
    var remaining: Int? { configuration.count.map { $0 - position } }

    mutating func next() -> Transaction? {
        if let count = configuration.count, position >= count { return nil }
        let id = idPrefix + "-" + Population.padded(position, width: 8)
        let transaction: Transaction
        if let slot = injector.dueSlot(at: clock) {
            transaction = injector.emit(slot: slot, id: id, clock: clock, population: population)
        } else if let started = injector.startPatternIfDue(
            position: position,
            remaining: remaining,
            stepMillis: configuration.stepMillis,
            clock: clock,
            id: id,
            population: population
        ) {
            transaction = started
        } else {
            transaction = factory.make(id: id, clock: &clock, using: &rng)
        }
        position += 1
        clock += configuration.stepMillis
        return transaction
    }

    mutating func recordOutcome(pattern: Int, accepted: Bool) {
        injector.recordOutcome(pattern: pattern, accepted: accepted)
    }
}
