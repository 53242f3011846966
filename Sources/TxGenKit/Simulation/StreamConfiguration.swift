/// Settings that fully determine a generated stream: the same values give the same bytes.
struct StreamConfiguration: Sendable {
    var seed: UInt64
    var accountCount = Population.defaultAccountCount
    var merchantCount = Population.defaultMerchantCount
    var fraudShare = 0.01
    /// Total transactions; nil for an unbounded stream (where patterns may be cut off at the end).
    var count: Int?
    /// Event time of the first transaction (ms since the Unix epoch).
    var startMillis: Int64 = StreamConfiguration.defaultStartMillis
    /// Simulated event time between consecutive transactions of the stream.
    var stepMillis: Int64 = 100
    /// Transaction ids are "<idPrefix>-<8-digit sequence>"; nil derives "tx-<6 hex>" from the seed.
    var idPrefix: String?

    /// 2026-01-01T00:00:00Z: a fixed origin so that seeded streams are byte-identical.
    static let defaultStartMillis: Int64 = 1_767_225_600_000
}
