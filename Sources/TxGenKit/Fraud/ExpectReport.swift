import Foundation

/// What `--expect-report` writes: every injected pattern, the rule it must trigger, and its
/// transactions, so that a test can check the gateway's alerts against it.
///
/// A pattern cut off by the end of the run (only possible when the number of transactions was
/// not known in advance, e.g. `--rate 0 --duration 30s`, or on Ctrl-C) is listed with
/// `"complete": false`: the gateway need not alert on it, but may (4 of a 5-burst is no burst,
/// 5 of 6 is).
struct ExpectReport: Sendable {
    struct Entry: Codable, Equatable, Sendable {
        var rule: FraudRule
        var accountID: String
        var transactionIDs: [String]
        /// Whether every transaction of the pattern was generated (and, in load runs, sent).
        var complete: Bool
        /// The transaction at which the rule's condition first holds (nil if never generated).
        var triggerTransactionID: String?
        var firstEventTime: String
        var lastEventTime: String
        /// Load runs only: how many of the pattern's transactions the gateway accepted. A
        /// pattern with fewer accepted than sent may legitimately not raise its alert.
        var accepted: Int?

        enum CodingKeys: String, CodingKey {
            case rule, complete
            case accountID = "account_id"
            case transactionIDs = "transaction_ids"
            case triggerTransactionID = "trigger_transaction_id"
            case firstEventTime = "first_event_time"
            case lastEventTime = "last_event_time"
            case accepted
        }
    }

    var entries: [Entry]

    init(entries: [Entry]) { self.entries = entries }

    init(patterns: [FraudPattern], includeOutcomes: Bool) {
        entries = patterns.filter { !$0.transactionIDs.isEmpty }.map { pattern in
            Entry(
                rule: pattern.rule,
                accountID: pattern.accountID,
                transactionIDs: pattern.transactionIDs,
                complete: pattern.isComplete,
                triggerTransactionID: pattern.triggerStep < pattern.transactionIDs.count
                    ? pattern.transactionIDs[pattern.triggerStep] : nil,
                firstEventTime: Timestamp.string(millis: pattern.firstEventMillis ?? 0),
                lastEventTime: Timestamp.string(millis: pattern.lastEventMillis ?? 0),
                accepted: includeOutcomes ? pattern.acceptedCount : nil
            )
        }
    }

    /// Complete patterns per rule, for summaries.
    var countsByRule: [FraudRule: Int] {
        entries.filter(\.complete).reduce(into: [:]) { $0[$1.rule, default: 0] += 1 }
    }

    var incompleteCount: Int { entries.filter { !$0.complete }.count }

    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(entries)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    func write(to path: String) throws {
        try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func read(from data: Data) throws -> ExpectReport {
        ExpectReport(entries: try JSONDecoder().decode([Entry].self, from: data))
    }
}
