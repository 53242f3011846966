import Foundation
import Testing

@testable import TxGenKit

@Suite struct FraudInjectionTests {
    @Test(arguments: [UInt64(11), 12, 13])
    func expectReport_matchesGeneratedStream_andEachEntryTriggersItsRule(seed: UInt64) throws {
        let (ndjson, report) = generate(seed: seed, count: 30_000, fraudShare: 0.02)
        let stream = try #require(WireTransaction.decode(ndjson))
        let byID = Dictionary(uniqueKeysWithValues: stream.map { ($0.id, $0) })
        let fired = RuleChecks.all(stream)

        #expect(Set(report.entries.map(\.rule)) == Set(FraudRule.allCases), "every rule gets patterns")
        #expect(report.entries.allSatisfy { $0.complete }, "a bounded stream only starts patterns that can finish")
        var reportedIDs = Set<String>()
        for entry in report.entries {
            let trigger = try #require(entry.triggerTransactionID)
            // The entry describes transactions that really are in the stream, on its account.
            for id in entry.transactionIDs {
                let tx = try #require(byID[id], "reported id \(id) not generated")
                #expect(tx.accountID == entry.accountID)
                reportedIDs.insert(id)
            }
            #expect(entry.transactionIDs.contains(trigger))
            // Its rule fires for its account, exactly at the reported trigger...
            #expect(
                fired[entry.rule]?[entry.accountID] == trigger,
                "\(entry.rule) did not fire at \(trigger) for \(entry.accountID)"
            )
            // ...and no other rule fires for it: one pattern per rule.
            for (rule, accounts) in fired where rule != entry.rule {
                #expect(accounts[entry.accountID] == nil, "\(entry.rule) pattern also fires \(rule)")
            }
        }
        // The report lists every injected transaction: pattern accounts have no other traffic.
        let patternAccounts = Set(report.entries.map(\.accountID))
        let patternTraffic = Set(stream.filter { patternAccounts.contains($0.accountID) }.map(\.id))
        #expect(patternTraffic == reportedIDs)
        // Nothing but the injected patterns fires any rule.
        for (rule, accounts) in fired {
            let expected = Set(report.entries.filter { $0.rule == rule }.map(\.accountID))
            #expect(Set(accounts.keys) == expected, "\(rule) fired outside the injected patterns")
        }
        // The share of injected transactions is the requested 2%, within one pattern's worth.
        let share = Double(reportedIDs.count) / Double(stream.count)
        #expect(abs(share - 0.02) < 0.002, "injected share \(share)")
    }

    @Test func velocityPattern_isFiveOrSixTransactionsWithinSeconds() throws {
        let (ndjson, report) = generate(seed: 21, count: 20_000, fraudShare: 0.02)
        let stream = try #require(WireTransaction.decode(ndjson))
        let byID = Dictionary(uniqueKeysWithValues: stream.map { ($0.id, $0) })
        let bursts = report.entries.filter { $0.rule == .velocity }
        #expect(!bursts.isEmpty)
        for burst in bursts {
            #expect((5...6).contains(burst.transactionIDs.count))
            let times = burst.transactionIDs.compactMap { byID[$0]?.eventMillis }
            #expect(times.max()! - times.min()! <= 15_000, "a burst spans seconds, not the whole minute")
        }
    }

    @Test func normalTraffic_triggersNoRule() throws {
        // 50 000 transactions over 10 000 accounts (5 each on average, ~1 400 of them with 8+):
        // the generator's construction guarantees no rule condition holds, so the bound is zero.
        let (ndjson, report) = generate(seed: 77, count: 50_000, fraudShare: 0)
        #expect(report.entries.isEmpty)
        let stream = try #require(WireTransaction.decode(ndjson))
        let perAccount = Dictionary(grouping: stream, by: \.accountID).mapValues(\.count)
        #expect(perAccount.values.filter { $0 >= 6 }.count > 1_000, "enough history for amount_spike to be tested")
        for (rule, fired) in RuleChecks.all(stream) {
            #expect(
                fired.isEmpty,
                "normal traffic fired \(rule) for \(fired.count) accounts, e.g. \(fired.first.map { "\($0)" } ?? "")"
            )
        }
    }

    @Test func normalTraffic_staysInHomeCountryAndBelowHighAmount() throws {
        let (ndjson, _) = generate(seed: 78, count: 5_000, fraudShare: 0)
        let stream = try #require(WireTransaction.decode(ndjson))
        for (_, list) in Dictionary(grouping: stream, by: \.accountID) {
            #expect(Set(list.map(\.country)).count == 1)
        }
        #expect(stream.allSatisfy { $0.amountMinor <= 800_000 })
    }

    @Test func boundedStream_onlyStartsPatternsThatCanFinish() throws {
        // 400 transactions cover 40 s of event time: an amount spike (>= 2 minutes) cannot fit.
        let (ndjson, report) = generate(seed: 4, count: 400, fraudShare: 0.05)
        let stream = try #require(WireTransaction.decode(ndjson))
        let ids = Set(stream.map(\.id))
        #expect(!report.entries.isEmpty)
        #expect(report.entries.allSatisfy { $0.complete })
        #expect(!report.entries.contains { $0.rule == .amountSpike })
        for entry in report.entries { #expect(entry.transactionIDs.allSatisfy(ids.contains)) }
        let fired = RuleChecks.all(stream)
        for entry in report.entries { #expect(fired[entry.rule]?[entry.accountID] != nil) }
    }

    @Test func unboundedStream_cutShort_marksUnfinishedPatternsIncomplete() throws {
        var configuration = StreamConfiguration(seed: 6)
        configuration.fraudShare = 0.05
        var stream = TransactionStream(configuration)  // no count: nothing known about the end
        var bytes: [UInt8] = []
        for _ in 0..<3_000 { stream.next()!.appendNDJSONLine(to: &bytes) }
        let report = ExpectReport(patterns: stream.injector.patterns, includeOutcomes: false)
        let wire = try #require(WireTransaction.decode(String(decoding: bytes, as: UTF8.self)))
        let fired = RuleChecks.all(wire)
        let ids = Set(wire.map(\.id))
        #expect(report.entries.contains { !$0.complete }, "patterns were in progress at the cut")
        #expect(report.countsByRule.values.reduce(0, +) == report.entries.filter(\.complete).count)
        for entry in report.entries {
            #expect(entry.transactionIDs.allSatisfy(ids.contains))
            if entry.complete { #expect(fired[entry.rule]?[entry.accountID] == entry.triggerTransactionID) }
        }
    }

    @Test func expectReport_roundTripsAsJSONArray() throws {
        let (_, report) = generate(seed: 8, count: 3_000, fraudShare: 0.02)
        let data = try report.jsonData()
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(array.count == report.entries.count)
        let first = try #require(array.first)
        #expect(first["rule"] is String)
        #expect(first["complete"] as? Bool == true)
        #expect(first["account_id"] is String)
        #expect(first["transaction_ids"] is [String])
        #expect(first["accepted"] == nil, "dry runs have no outcome")
        #expect(try ExpectReport.read(from: data).entries == report.entries)
    }
}
