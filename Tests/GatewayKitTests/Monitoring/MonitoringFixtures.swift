import Foundation

@testable import GatewayKit

/// Builders for the monitoring tests: transactions at offsets from a fixed instant, and
/// monitors with only the rules under test enabled.
enum Fixture {
    /// 2023-11-14T22:13:20Z: a round instant, so bucket boundaries fall on whole seconds.
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    static func tx(
        _ id: String,
        account: String = "acc-1",
        amount: String = "10",
        currency: String = "USD",
        at seconds: Double = 0,
        merchant: String? = "merchant-1",
        country: String? = "US",
        channel: Channel? = .cardPresent
    ) -> Transaction {
        Transaction(
            id: id,
            accountId: account,
            amount: try! Amount(validating: amount),
            currency: currency,
            timestamp: at(seconds),
            merchantId: merchant,
            merchantCategory: nil,
            country: country,
            channel: channel,
            metadata: nil,
            receivedAt: at(seconds)
        )
    }

    /// A monitor whose rules are all disabled except `enabled` (none by default).
    static func monitor(
        rules enabled: Set<AlertRuleName> = [],
        _ configure: (inout MonitorConfiguration) -> Void = { _ in }
    ) -> Monitor {
        var configuration = MonitorConfiguration()
        configuration.rules.highAmount.enabled = enabled.contains(.highAmount)
        configuration.rules.velocity.enabled = enabled.contains(.velocity)
        configuration.rules.amountSpike.enabled = enabled.contains(.amountSpike)
        configuration.rules.countryHop.enabled = enabled.contains(.countryHop)
        configuration.rules.duplicateCharge.enabled = enabled.contains(.duplicateCharge)
        configure(&configuration)
        return Monitor(configuration: configuration)
    }
}

extension Monitor {
    /// Records with the monitor's clock equal to the event time (a consumer keeping up), and
    /// returns the alerts, [] for a duplicate.
    @discardableResult
    func feed(_ tx: Transaction) -> [Alert] {
        record(tx, now: tx.timestamp) ?? []
    }

    /// The window labelled `label` ("1m", "5m", "15m", "total") of a snapshot at `now`.
    func window(_ label: String, now: Date) -> WindowStatistics {
        let snapshot = snapshot(now: now)
        return snapshot.allWindows.first { $0.label == label }!
    }
}
