/// One planned transaction of a fraud pattern, before it gets an id and a timestamp.
struct PlannedStep: Sendable {
    /// Event time after the pattern's previous transaction (0 for the first).
    let delayMillis: Int64
    let amountMinor: Int64
    /// Index into `Population.merchants`.
    let merchant: Int
    let channel: Channel
}
