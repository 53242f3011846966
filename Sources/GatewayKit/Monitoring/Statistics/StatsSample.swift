/// One transaction as the statistics see it, digested once per record: slots instead of
/// strings, integer amounts instead of `Decimal`.
struct StatsSample: Sendable {
    var currencySlot: Int
    /// The amount in ten-thousandths (exact, for sums).
    var tenThousandths: UInt64
    /// Index into `ChannelSlot.names`.
    var channelSlot: Int
    /// Nil when the transaction has no country.
    var countrySlot: Int?
}

/// Channels as dense indexes: the `Channel` cases, then "unknown" for transactions without one.
enum ChannelSlot {
    static let names: [String] = Channel.allCases.map(\.rawValue) + ["unknown"]
    static var count: Int { names.count }

    static func index(of channel: Channel?) -> Int {
        guard let channel else { return names.count - 1 }
        return Channel.allCases.firstIndex(of: channel) ?? names.count - 1
    }
}
